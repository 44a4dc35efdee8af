# sbx: build, test, demo, install. `make help` lists the targets.
VERSION := 0.1.0
PREFIX ?= /usr/local
BUILD ?= build

CC ?= gcc
PKG_CONFIG ?= pkg-config
WARN := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wvla -Wpointer-arith -Wundef -Wimplicit-fallthrough
HARDEN := -D_FORTIFY_SOURCE=3 -fstack-protector-strong
NL_CFLAGS = $(shell $(PKG_CONFIG) --cflags libnl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
NL_LIBS = $(shell $(PKG_CONFIG) --libs libnl-route-3.0 2>/dev/null || echo -lnl-route-3 -lnl-3)
OPT ?= -O2 -g
SAN ?=
CFLAGS ?=
CPPFLAGS += -D_GNU_SOURCE -DSBX_VERSION='"$(VERSION)"'
ALL_CFLAGS = -std=gnu17 $(OPT) $(WARN) $(HARDEN) $(SAN) $(NL_CFLAGS) -MMD -MP $(CFLAGS)
LDLIBS = -lseccomp -lpcre2-8 $(NL_LIBS) -lpthread

CORE_SRC := $(wildcard supervisor/*.c filters/*.c shim/*.c)
CORE_SRC := $(filter-out supervisor/main.c,$(CORE_SRC))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libsbx.a
BIN := $(BUILD)/sbx-supervise
# Test-only: the supervisor lets inet connect/bind through unjudged (SBX_TEST_NO_NET_CHECK in
# supervisor/notify.c), so tests can prove the Landlock TCP rules hold on their own.
BIN_NONETCHECK := $(BUILD)/sbx-supervise-nonetcheck

TESTLIB_SRC := $(wildcard tests/lib/*.c)
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(wildcard tests/unit/*.c tests/filter/*.c tests/live/*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%.t)
TEST_HELPER_SRC := $(wildcard tests/helpers/*.c)
TEST_HELPER_BIN := $(TEST_HELPER_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SCRIPTS := $(wildcard tests/*/*.sh)
# The policy parser's fuzz target, replayed over its seed corpus by a gcc-built main.
FUZZ_POLICY_REPLAY := $(BUILD)/tests/fuzz/policy/replay.t

.PHONY: all deps check demo install clean help format format-check tests fuzz-policy
# Keep intermediate objects: tests share them.
.SECONDARY:
all: $(BIN)

help:
	@echo "make            build $(BIN)"
	@echo "make deps       install missing build/test packages (as root) or say what to install"
	@echo "make check      deps, build, and run the whole TAP suite with prove"
	@echo "make demo       deps, build, and show an allowed and a denied connection"
	@echo "make install    install the binary and man page under PREFIX ($(PREFIX))"
	@echo "make format     clang-format the sources; format-check verifies them"

deps:
	@./.ci/deps

V ?= 0
Q := $(if $(filter 1,$(V)),,@)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(CORE_OBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(BUILD)/obj/supervisor/main.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/nonetcheck/notify.o: supervisor/notify.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) -DSBX_TEST_NO_NET_CHECK $(ALL_CFLAGS) -c -o $@ $<

# The archive's notify.o is not pulled in: every symbol it defines is already defined.
$(BIN_NONETCHECK): $(BUILD)/obj/supervisor/main.o $(BUILD)/obj/nonetcheck/notify.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%.t: $(BUILD)/obj/tests/%.o $(TESTLIB_OBJ) $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# Programs the live tests run inside the sandbox: plain, so they behave like any user binary.
$(BUILD)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -std=gnu17 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $< -lpthread

$(FUZZ_POLICY_REPLAY): $(BUILD)/obj/tests/fuzz/policy/replay.o \
		$(BUILD)/obj/tests/fuzz/policy/fuzz_policy.o $(TESTLIB_OBJ) $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# libFuzzer build of the same target (needs clang): ./build/fuzz-policy tests/fuzz/policy/corpus
fuzz-policy:
	clang -std=gnu17 -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) $(NL_CFLAGS) \
		-o $(BUILD)/fuzz-policy tests/fuzz/policy/fuzz_policy.c $(CORE_SRC) $(LDLIBS)

tests: $(BIN) $(BIN_NONETCHECK) $(TEST_BIN) $(TEST_HELPER_BIN) $(FUZZ_POLICY_REPLAY)

check: deps
	$(MAKE) tests
	SBX_BUILD=$(abspath $(BUILD)) SBX_SRC=$(CURDIR) prove -e '' $(TEST_BIN) $(FUZZ_POLICY_REPLAY) $(TEST_SCRIPTS)

demo: deps
	$(MAKE) $(BIN)
	SBX_BUILD=$(abspath $(BUILD)) ./doc/demo.sh

install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/sbx-supervise
	install -D -m 0644 doc/sbx-supervise.1 $(DESTDIR)$(PREFIX)/share/man/man1/sbx-supervise.1

format:
	clang-format -i $(wildcard */*.c */*.h tests/*/*.c tests/*/*.h)

format-check:
	clang-format --dry-run --Werror $(wildcard */*.c */*.h tests/*/*.c tests/*/*.h)

clean:
	rm -rf $(BUILD)

-include bench/bench.mk
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

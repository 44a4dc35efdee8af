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
# -ffunction-sections: the linker can then place sbx's functions one by one (ORDER below).
ALL_CFLAGS = -std=gnu17 $(OPT) $(WARN) $(HARDEN) $(SAN) $(NL_CFLAGS) -ffunction-sections -MMD -MP \
	$(CFLAGS)
# c-ares resolves the policy's host names: glibc's getaddrinfo needs NSS modules, which a
# static sbx cannot load (supervisor/resolve/resolve.h). Debian ships its libcares.a.
LDLIBS = -lseccomp -lpcre2-8 $(NL_LIBS) -lcares -lpthread
# sbx-supervise itself links everything statically (static-pie: ASLR stays). Every sandboxed
# command pays sbx's start-up, and a dynamic sbx spent most of its own on the loader: four
# libraries mapped and relocated, libnl's constructors (doc/performance.md). STATIC=0 links
# dynamically; sanitizer builds always do. libnl's address and protocol-name helpers, which
# sbx never calls, make the linker warn about NSS in static programs: those lines are dropped.
STATIC ?= 1
BIN_LDFLAGS = $(if $(SAN),,$(if $(filter 1,$(STATIC)),-static-pie))
BIN_LD_QUIET = statically linked applications requires at runtime|libnl_3_la-(addr|utils)\.o\): in function
# The static sbx-supervise is linked by lld with the functions its start-up runs placed first,
# in the order they run (bench/startup.order, written by `make startup-order`): a page fault
# costs ~13 us on a VM, and packed they fault in ~6 windows of 64 KB instead of ~18
# (doc/performance.md). GNU ld 2.40 cannot order functions. Without ld.lld the link is the
# same but for the order, and says so.
ORDER := bench/startup.order
LLD := $(shell command -v ld.lld 2>/dev/null)
ORDER_BY_LLD = -fuse-ld=lld -Wl,--symbol-ordering-file=$(ORDER) -Wl,--no-warn-symbol-ordering
ORDER_LDFLAGS = $(if $(BIN_LDFLAGS),$(if $(LLD),$(ORDER_BY_LLD)))
# Holds the way of linking, rewritten only when it changes: lld installed (or gone) since the
# last link relinks.
LINK_STAMP = $(BUILD)/link-mode

CORE_SRC := $(wildcard supervisor/*.c supervisor/*/*.c filters/*.c shim/*.c)
CORE_SRC := $(filter-out supervisor/main.c,$(CORE_SRC))
# The filter of every key, compiled with libseccomp when sbx is built (filters/prebuilt.h): a
# generator program writes the table's C into the build directory.
PREBUILT_GEN := $(BUILD)/gen-prebuilt
PREBUILT_SRC := $(BUILD)/gen/prebuilt.c
PREBUILT_OBJ := $(BUILD)/obj/gen/prebuilt.o
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o) $(PREBUILT_OBJ)
LIB := $(BUILD)/libsbx.a
BIN := $(BUILD)/sbx-supervise
# Test-only: the supervisor lets inet connect/bind through unjudged (SBX_TEST_NO_NET_CHECK in
# supervisor/notify/notify.c), so tests can prove the Landlock TCP rules hold on their own.
BIN_NONETCHECK := $(BUILD)/sbx-supervise-nonetcheck

TESTLIB_SRC := $(wildcard tests/lib/*.c)
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(BUILD)/obj/%.o)
# Unit tests sit in the folder of the stage they test (tests/unit/caller/ for supervisor/caller/).
TEST_SRC := $(wildcard tests/unit/*/*.c tests/filter/*.c tests/live/*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%.t)
TEST_HELPER_SRC := $(wildcard tests/helpers/*.c)
TEST_HELPER_BIN := $(TEST_HELPER_SRC:tests/%.c=$(BUILD)/tests/%) $(BUILD)/tests/helpers/probe
# The probe is one program in several files, one per thing it probes (probe/probe.h).
PROBE_SRC := $(wildcard tests/helpers/probe/*.c)
# tests/container/ runs under check-container only: it needs a container runtime and root.
TEST_SCRIPTS := $(filter-out tests/lib/% tests/container/%,$(wildcard tests/*/*.sh))
# The policy parser's fuzz target, replayed over its seed corpus by a gcc-built main.
FUZZ_POLICY_REPLAY := $(BUILD)/tests/fuzz/policy/replay.t
# Fuzz targets (tests/fuzz/fuzz_NAME.c): replayed over their seed corpus by check.
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY := $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz/fuzz_%.t)
TEST_BIN += $(FUZZ_REPLAY)

.PHONY: all deps check check-unprivileged check-container container-bins demo install clean help \
	format format-check tests check-asan analyze fuzz fuzz-bins soak fuzz-policy
# Keep intermediate objects: tests share them.
.SECONDARY:
all: $(BIN)

help:
	@echo "make            build $(BIN)"
	@echo "make deps       install missing build/test packages (as root) or say what to install"
	@echo "make check      deps, build, and run the whole TAP suite with prove"
	@echo "make check-unprivileged  as root: make check again as uid UNPRIV_UID ($(UNPRIV_UID)),"
	@echo "                in a copy of the tree and build under /tmp"
	@echo "make check-container  sbx inside docker (and podman if installed); as root it"
	@echo "                installs docker.io and starts dockerd if needed (.ci/container)"
	@echo "make demo       deps, build, and show an allowed and a denied connection"
	@echo "make install    install the binary and man page under PREFIX ($(PREFIX))"
	@echo "make format     clang-format the sources; format-check verifies them"
	@echo "make check-asan the TAP suite with ASan+UBSan (in $(ASAN_BUILD)); any report fails"
	@echo "make analyze    gcc -fanalyzer, clang-tidy and cppcheck over the sources"
	@echo "make fuzz       each libFuzzer target for FUZZ_SECONDS (default $(FUZZ_SECONDS)) s"
	@echo "make soak       the load test for SOAK_SECONDS (default $(SOAK_SECONDS)) s"
	@echo "make bench      sbx against native and its peers (bench-quick: about a minute);"
	@echo "                results in bench/results, method in doc/performance.md"
	@echo "make startup-order  rewrite bench/startup.order, the functions a start runs,"
	@echo "                which lld links first in $(BIN)"

deps:
	@./.ci/deps

V ?= 0
Q := $(if $(filter 1,$(V)),,@)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(if $(findstring -fanalyzer,$(SAN)),$(ANALYZER_FP)) -c -o $@ $<

# gcc 12's analyzer loses track of a struct copied into a realloc'd array (sbx_pol_add_unix
# stores `r`, with r.arg, in pol->unix_rules; the pattern and fs rules do the same) and
# reports a leak that is not one.
$(BUILD)/obj/supervisor/policy/policy.o: ANALYZER_FP := -Wno-analyzer-malloc-leak
$(BUILD)/obj/supervisor/policy/policy_re.o $(BUILD)/obj/supervisor/policy/policy_fs.o: ANALYZER_FP := -Wno-analyzer-malloc-leak

$(PREBUILT_GEN): $(BUILD)/obj/filters/gen/prebuilt.o $(BUILD)/obj/filters/filter.o \
		$(BUILD)/obj/supervisor/base/error.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ -lseccomp

$(PREBUILT_SRC): $(PREBUILT_GEN)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)$(PREBUILT_GEN) > $@.tmp && mv $@.tmp $@

$(PREBUILT_OBJ): $(PREBUILT_SRC)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) -I. $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(CORE_OBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(LINK_STAMP): FORCE
	@mkdir -p $(@D)
	@m="$(if $(ORDER_LDFLAGS),ordered,plain)"; [ "$$(cat $@ 2>/dev/null)" = "$$m" ] || echo "$$m" >$@

.PHONY: FORCE
FORCE:

$(BIN): $(BUILD)/obj/supervisor/main.o $(LIB) $(ORDER) $(LINK_STAMP)
	@$(if $(Q),echo "  LD      $@")
	$(if $(BIN_LDFLAGS),$(if $(LLD),,@echo "  note: no ld.lld: $@ linked without $(ORDER), so its start-up faults in more pages (.ci/deps installs lld)"))
	$(Q)$(CC) $(ALL_CFLAGS) $(BIN_LDFLAGS) $(ORDER_LDFLAGS) -o $@ \
		$(filter-out $(ORDER) $(LINK_STAMP),$^) $(LDLIBS) 2>$@.ld || { cat $@.ld >&2; exit 1; }
	$(Q)grep -Ev '$(BIN_LD_QUIET)' $@.ld >&2 || true; rm -f $@.ld

$(BUILD)/obj/nonetcheck/notify.o: supervisor/notify/notify.c
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

$(BUILD)/tests/helpers/probe: $(PROBE_SRC) tests/helpers/probe/probe.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -std=gnu17 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $(PROBE_SRC) -lpthread

$(FUZZ_POLICY_REPLAY): $(BUILD)/obj/tests/fuzz/policy/replay.o \
		$(BUILD)/obj/tests/fuzz/policy/fuzz_policy.o $(TESTLIB_OBJ) $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# A replay main per target, so check needs no clang.
$(BUILD)/obj/tests/fuzz/replay-%.o: tests/fuzz/replay.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) -DSBX_FUZZ_NAME='"$*"' $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/fuzz/fuzz_%.t: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/replay-%.o \
		$(TESTLIB_OBJ) $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# libFuzzer build of the same target (needs clang): ./build/fuzz-policy tests/fuzz/policy/corpus
fuzz-policy: $(PREBUILT_SRC)
	clang -std=gnu17 -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) -I. $(NL_CFLAGS) \
		-o $(BUILD)/fuzz-policy tests/fuzz/policy/fuzz_policy.c $(CORE_SRC) \
		$(PREBUILT_SRC) $(LDLIBS)

tests: $(BIN) $(BIN_NONETCHECK) $(TEST_BIN) $(TEST_HELPER_BIN) $(FUZZ_POLICY_REPLAY)

# The live tests of calls sbx performs, again with sbx in the replace mode (pidfd_getfd
# refused, as under a container's default seccomp profile: tests/helpers/deny).
REPLACE_TESTS := $(patsubst %,$(BUILD)/tests/live/%.t,t-connect t-attack t-bind t-dgram t-errno \
	t-net-filtered t-signals t-authority t-explain-fs)

check: deps
	$(MAKE) tests
	SBX_BUILD=$(abspath $(BUILD)) SBX_SRC=$(CURDIR) prove -e '' $(TEST_BIN) $(FUZZ_POLICY_REPLAY) $(TEST_SCRIPTS)
	SBX_T_MODE=replace SBX_BUILD=$(abspath $(BUILD)) SBX_SRC=$(CURDIR) prove -e '' $(REPLACE_TESTS)

# The suite as an ordinary user (root's own runs cannot show a test that needs root): root
# copies the tree and this build to a directory under /tmp owned by UNPRIV_UID (nobody by
# default) and runs make check there as that uid (.ci/unprivileged).
UNPRIV_UID ?= 65534
check-unprivileged: deps
	$(MAKE) tests
	./.ci/unprivileged $(BUILD) $(UNPRIV_UID)

# sbx in a real container runtime (issue 14): .ci/container starts dockerd when none runs (as
# root), builds an image from the static binaries below and runs tests/container/t-container.sh.
# Without root or a reachable daemon it prints why and exits 0 (SBX_CONTAINER_REQUIRED=1: 1).
CONTAINER_BIN := $(BUILD)/container/client $(BUILD)/container/server \
	$(if $(shell command -v go 2>/dev/null),$(BUILD)/container/client-go)
container-bins: $(CONTAINER_BIN)
check-container: deps
	$(MAKE) $(BIN) container-bins
	./.ci/container $(BUILD)

# The client runs in an image with no libc: static. The server runs on the host.
$(BUILD)/container/client: tests/container/client.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -std=gnu17 -O2 $(WARN) -D_GNU_SOURCE -static -o $@ $<

$(BUILD)/container/server: tests/container/server.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -std=gnu17 -O2 $(WARN) -D_GNU_SOURCE -o $@ $<

# Go makes its own raw system calls: a client that never goes through libc.
$(BUILD)/container/client-go: tests/container/goclient/main.go
	@mkdir -p $(@D)
	@$(if $(Q),echo "  GO      $@")
	$(Q)CGO_ENABLED=0 GO111MODULE=off GOCACHE=$(abspath $(BUILD))/container/go-cache \
		GOPATH=$(abspath $(BUILD))/container/gopath go build -trimpath -o $@ $<

# Sanitizers: supervisor, shim, filters and every test binary linked with libsbx; the programs
# run inside the sandbox stay plain. Reports go to files, so one in a process whose exit status
# a test does not look at (a forked shim, a supervisor killed on purpose) still fails the run.
ASAN_BUILD ?= build-asan
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_LOGS = $(abspath $(ASAN_BUILD))/san-logs
check-asan: deps
	rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
	$(MAKE) BUILD=$(ASAN_BUILD) SAN="$(SAN_FLAGS)" OPT="-O1 -g" tests
	ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:log_path=$(SAN_LOGS)/asan \
	UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$(SAN_LOGS)/ubsan \
	SBX_BUILD=$(abspath $(ASAN_BUILD)) SBX_SRC=$(CURDIR) \
		prove -e '' $(subst $(BUILD)/,$(ASAN_BUILD)/,$(TEST_BIN)) $(TEST_SCRIPTS)
	@if [ -n "$$(ls -A $(SAN_LOGS))" ]; then cat $(SAN_LOGS)/*; \
		echo "check-asan: sanitizer reports above" >&2; exit 1; fi
	@echo "check-asan: no sanitizer reports"

# Static analysis. gcc's analyzer runs as a build with -Werror; clang-tidy reads .clang-tidy.
ANALYZE_SRC := $(CORE_SRC) supervisor/main.c
analyze:
	$(MAKE) BUILD=build-analyze SAN=-fanalyzer all
	clang-tidy --quiet $(ANALYZE_SRC) -- $(CPPFLAGS) -std=gnu17 $(NL_CFLAGS)
	@# ctuuninitvar in task.c: sbx_task_read's buffer is where the copy goes, never read.
	cppcheck --quiet --error-exitcode=1 --inline-suppr --enable=warning,performance,portability \
		--std=c11 -D_GNU_SOURCE -D__x86_64__ -U__clang__ --suppress=missingIncludeSystem \
		--suppress=ctuuninitvar:supervisor/caller/task.c $(ANALYZE_SRC)

# libFuzzer: every target for FUZZ_SECONDS, seeded from its corpus; new inputs stay in
# $(FUZZ_BUILD)/corpus (copy interesting ones to tests/fuzz/corpus by hand).
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build-fuzz
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
$(BUILD)/fuzz/%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
fuzz-bins: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
fuzz:
	@# clang flags libseccomp's SCMP_A* macros (fields left out on purpose) under -Wextra.
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang SAN="$(FUZZ_FLAGS)" OPT="-O1 -g" \
		CFLAGS=-Wno-missing-field-initializers fuzz-bins
	set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		$(FUZZ_BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/$$t- \
			$(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t; \
	done

# The load test of check, run for SOAK_SECONDS instead of 5.
SOAK_SECONDS ?= 60
soak: tests
	SBX_SOAK_SECONDS=$(SOAK_SECONDS) SBX_BUILD=$(abspath $(BUILD)) SBX_SRC=$(CURDIR) \
		prove -v -e '' $(BUILD)/tests/live/t-soak.t

demo: deps
	$(MAKE) $(BIN)
	SBX_BUILD=$(abspath $(BUILD)) ./doc/demo.sh

install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/sbx-supervise
	install -D -m 0644 doc/sbx-supervise.1 $(DESTDIR)$(PREFIX)/share/man/man1/sbx-supervise.1

FORMAT_SRC = $(wildcard */*.c */*.h supervisor/*/*.c supervisor/*/*.h filters/gen/*.c tests/*/*.c tests/*/*.h \
	tests/unit/*/*.c \
	tests/helpers/probe/*.c tests/helpers/probe/*.h)
format:
	clang-format -i $(FORMAT_SRC)

format-check:
	clang-format --dry-run --Werror $(FORMAT_SRC)

clean:
	rm -rf $(BUILD)

-include bench/bench.mk
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# Benchmarks (issue 6): `make bench` (full, about 10 min here) and `make bench-quick` (about 1 min).
# Included from the top Makefile; reuses its flags and build/libsbx.a.
BENCH_BUILD := $(BUILD)/bench
BENCH_BIN := $(BENCH_BUILD)/sbx-bench $(BENCH_BUILD)/sbx-bench-launch $(BENCH_BUILD)/sbx-bench-wrap
BENCH_RESULTS ?= bench/results
# e.g. BENCH_ARGS="--alt sbx-base=/path/to/older/sbx-supervise" to A/B a code change
BENCH_ARGS ?=

.PHONY: bench bench-quick bench-deps bench-bins

# Like .ci/deps: as root, install what the peers and the plot need; otherwise say what is
# missing and carry on (a peer that cannot run is reported as skipped).
bench-deps:
	@./bench/deps

# The "unit-tests" workload runs the unit test binaries: a fresh clone after `make` has none.
BENCH_UNIT := $(filter $(BUILD)/tests/unit/%,$(TEST_BIN))

# The replace-mode row runs sbx under tests/helpers/deny (pidfd_getfd refused).
bench-bins: $(BIN) $(BENCH_BIN) $(BENCH_UNIT) $(BUILD)/tests/helpers/deny

# The client behaves like any user binary: plain flags, no sbx code.
$(BENCH_BUILD)/sbx-bench: bench/sbx-bench.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -std=gnu17 -O2 -g $(WARN) -D_GNU_SOURCE -o $@ $< -lpthread

# Static, like sbx-supervise: the start-up floor of any fork+exec wrapper (see its comment).
$(BENCH_BUILD)/sbx-bench-wrap: bench/sbx-bench-wrap.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -std=gnu17 -O2 $(WARN) -D_GNU_SOURCE -static-pie -o $@ $<

# Not part of bench-bins: a tool for `make startup-order` only.
$(BENCH_BUILD)/sbx-bench-order: bench/sbx-bench-order.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -std=gnu17 -O2 -g $(WARN) -D_GNU_SOURCE -o $@ $<

# Rewrite bench/startup.order from what this build's sbx-supervise runs (bench/order.py; any
# user, sbx-bench-order.c), then relink sbx-supervise by it. Commit the file.
.PHONY: startup-order
startup-order: $(BIN) $(BENCH_BUILD)/sbx-bench-order
	python3 bench/order.py $(BIN) $(BENCH_BUILD)/sbx-bench-order > $(ORDER).tmp
	mv $(ORDER).tmp $(ORDER)
	$(MAKE) $(BIN)

$(BENCH_BUILD)/sbx-bench-launch: $(BUILD)/obj/bench/sbx-bench-launch.o $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

bench: bench-deps
	$(MAKE) bench-bins
	python3 bench/run.py --build $(abspath $(BUILD)) --out $(BENCH_RESULTS) $(BENCH_ARGS)

bench-quick: bench-deps
	$(MAKE) bench-bins
	python3 bench/run.py --quick --build $(abspath $(BUILD)) --out $(BENCH_RESULTS) $(BENCH_ARGS)

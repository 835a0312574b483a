# numaplace: a thin wrapper around meson.  `make demo` and `make check` are
# the two commands a new machine needs; both install missing Debian packages.
#
#   make              build into build/
#   make DEV=1        ... with -Werror
#   make SANITIZE=address,undefined   ... with sanitizers
#   make demo         deps + build + show the topology of this machine and a dump
#   make check        deps + build + every test, then the unit tests under ASan+UBSan
#   make fuzz         libFuzzer targets (clang), FUZZ_SECONDS each (default 60)
#   make bench        benchmarks (figures go to BENCHMARKS.md by hand)
#   make stress       the frame allocator's randomized stress, 10^8 operations
#                     (make check runs 10^7)

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
NUMAPLACE  := $(BUILD)/tools/numaplace/numaplace

MESON_OPTS := -Dbuildtype=debugoptimized
ifeq ($(DEV),1)
MESON_OPTS += -Dwerror=true
endif
ifneq ($(SANITIZE),)
MESON_OPTS += -Db_sanitize=$(SANITIZE) -Db_lundef=false
endif

SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1

.PHONY: all deps build demo check check-unit check-asan fuzz bench stress clean

all: build

deps:
	@sh scripts/deps.sh

# Reconfigure when the options change, so `make DEV=1` after `make` works.
$(BUILD)/.opts: FORCE
	@mkdir -p $(BUILD)
	@echo '$(MESON_OPTS)' | cmp -s - $@ || echo '$(MESON_OPTS)' > $@

$(BUILD)/build.ninja: $(BUILD)/.opts
	@if [ -f $(BUILD)/build.ninja ]; then \
		meson setup --reconfigure $(BUILD) $(MESON_OPTS) >/dev/null; \
	else \
		meson setup $(BUILD) $(MESON_OPTS) >/dev/null || exit 1; \
	fi

.PHONY: FORCE
FORCE:

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: deps build
	@sh scripts/demo.sh $(NUMAPLACE)

check: deps build
	@rc=0; meson test -C $(BUILD) --print-errorlogs || rc=$$?; \
	$(MAKE) --no-print-directory check-asan || rc=1; \
	python3 scripts/test-summary.py $(BUILD)/meson-logs/testlog.json \
		$(ASAN_BUILD)/meson-logs/testlog.json || rc=1; \
	exit $$rc

# The unit tests, fuzz replays and CLI tests again, under ASan and UBSan;
# any report aborts the test and fails the run.
# The core allocator's randomized stress with its invariant check, at 10^8
# operations (about 15 s here); STRESS_OPS changes the count.
STRESS_OPS ?= 100000000
stress: deps build
	NP_STRESS_OPS=$(STRESS_OPS) NP_SRCDIR=$(CURDIR) CMOCKA_MESSAGE_OUTPUT=stdout \
		$(BUILD)/tests/unit/test-falloc

check-asan:
	@[ -f $(ASAN_BUILD)/build.ninja ] || meson setup $(ASAN_BUILD) \
		-Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=all >/dev/null
	ninja -C $(ASAN_BUILD)
	$(SAN_ENV) meson test -C $(ASAN_BUILD) --suite unit --suite fuzz --suite cli --print-errorlogs

fuzz:
	@sh scripts/deps.sh --fuzz
	@[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang meson setup $(FUZZ_BUILD) \
		-Dfuzz=true -Dbuildtype=debugoptimized \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=all >/dev/null
	ninja -C $(FUZZ_BUILD)
	@sh scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: deps build
	@sh bench/run-topo.sh $(NUMAPLACE)
	@sh bench/run-lab.sh $(NUMAPLACE)
	@sh bench/run-alloc.sh $(NUMAPLACE)
	@sh bench/run-mem.sh $(NUMAPLACE)
	@sh bench/run-plan.sh $(NUMAPLACE)
	@sh bench/run-plan-peers.sh $(NUMAPLACE)
	@sh bench/migrate-vs-migratepages.sh $(NUMAPLACE)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

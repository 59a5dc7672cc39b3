# Thin wrapper around CMake. `make demo` and `make test` install what they need (scripts/install-deps.sh) first.
BUILD ?= build
JOBS ?= $(shell nproc)

FUZZ_SECONDS ?= 60

.PHONY: all deps build test demo bench cross fuzz clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	@$(BUILD)/tools/airswd --target sim probe
	@echo
	@$(BUILD)/tools/airswd --target sim:stm32f103c8,state=$(BUILD)/demo-bluepill.state \
	  flash $(BUILD)/examples/firmware/f1/hello_f1.elf

bench: build
	@$(BUILD)/bench/bench_swd
	@$(BUILD)/bench/bench_flash
	@bench/bench_openocd.sh $(BUILD)/tools/stm32sim

cross: deps
	@tests/cross/build-core.sh $(BUILD)/cross

# Each libFuzzer target for FUZZ_SECONDS seconds; what they find accumulates in $(BUILD)/fuzz/.
fuzz: build
	@tests/fuzz/run-fuzzers.sh $(BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD)

# Thin wrapper around CMake. `make demo` and `make test` install what they need (scripts/install-deps.sh) first.
BUILD ?= build
JOBS ?= $(shell nproc)

FUZZ_SECONDS ?= 60

.PHONY: all deps build test demo serve bench cross fuzz clean esp8266 esp8266-flash

PORT ?= 8080
BOARD ?= 4mb

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The daemon with a simulated Blue Pill; the example firmware flashed through its REST API; what the STM32 prints.
demo: build
	@scripts/demo.sh $(BUILD)

# The daemon in the foreground on 127.0.0.1:$(PORT) (the web page at http://127.0.0.1:$(PORT)/); Ctrl-C stops it.
serve: build
	@$(BUILD)/tools/airswdd --target sim:stm32f103c8,state=$(BUILD)/demo-bluepill.state \
	  --listen 127.0.0.1:$(PORT) --state-dir $(BUILD)/serve

bench: build
	@$(BUILD)/bench/bench_swd
	@$(BUILD)/bench/bench_flash
	@bench/bench_openocd.sh $(BUILD)/tools/stm32sim
	@bench/bench_gdb.sh $(BUILD)/tools/airswd $(BUILD)/tools/airswdd
	@$(BUILD)/bench/bench_uart
	@bench/bench_uart_stm32flash.sh $(BUILD)
	@$(BUILD)/tests/lx106/wire/lx106_wire_model --bench $(BUILD)/lx106-wire/wire_target.elf || test $$? -eq 77

cross: deps
	@tests/cross/build-core.sh $(BUILD)/cross

# The ESP8266 firmware (ports/esp8266) for 4 MB and 1 MB modules into $(BUILD)/esp8266/, with its budgets. The SDK
# comes from $$IDF_PATH, else from ../shared/esp8266's bundle, else from upstream (scripts/esp8266-sdk.sh).
esp8266: deps
	@scripts/esp8266-build.sh $(BUILD)

# make esp8266-flash PORT=/dev/ttyUSB0 [BOARD=4mb|1mb]: the firmware into a module on a serial port (esptool.py).
esp8266-flash: esp8266
	@scripts/esp8266-flash.sh $(BUILD) $(BOARD) $(PORT)

# Each libFuzzer target for FUZZ_SECONDS seconds; what they find accumulates in $(BUILD)/fuzz/.
fuzz: build
	@tests/fuzz/run-fuzzers.sh $(BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD)

# The portable core (src/ of the checkout) built as an SDK component, against the SDK's newlib and mbedTLS, with the
# ESP8266's buffer sizes and the core's own warnings as errors. Objects land under the build directory (the SDK
# strips the leading ../ of each source directory).
CORE := ../../../../src
COMPONENT_SRCDIRS := $(CORE) $(patsubst $(COMPONENT_PATH)/%/,%,$(sort $(dir $(wildcard $(COMPONENT_PATH)/$(CORE)/*/*.c))))
COMPONENT_ADD_INCLUDEDIRS := $(CORE)
# The SDK's mbedTLS headers are system headers to the core: its own warnings (-Wundef) are not ours to fix.
CFLAGS += -isystem $(IDF_PATH)/components/mbedtls/port/include -isystem $(IDF_PATH)/components/mbedtls/mbedtls/include
CFLAGS += -include $(PROJECT_PATH)/main/esp8266_sizes.h -std=gnu11 -Wall -Wextra -Werror -Wshadow \
          -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wvla -Wpointer-arith -Wformat=2

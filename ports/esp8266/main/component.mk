# The application: the ports of src/hal.h on the ESP8266, WiFi, start-up; and what it shares with the Linux port
# (ports/common: the HTTP engine over BSD sockets, here lwIP's).
COMPONENT_SRCDIRS := . ../../common
COMPONENT_ADD_INCLUDEDIRS := . ../../common
# The SDK's own headers declare functions without prototypes (esp_timer.h): -Wstrict-prototypes stays off here.
# The core's headers are read with the ESP8266's buffer sizes here too: one layout for every structure.
CFLAGS += -include $(PROJECT_PATH)/main/esp8266_sizes.h -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wpointer-arith
# The SWD wire's loop is timed code in IRAM: optimised for speed, not size.
esp8266_swd.o: CFLAGS += -O2

/*
 * esp8266_sizes.h - the core's buffer sizes on the ESP8266, where src/airswd_config.h holds the Linux daemon's.
 *
 * Included before every file of the core (-include), so that the device's state fits the heap budget of design.md:
 * the service with a flash job, the store, the API and 2 HTTP connections in 24 KB. tests/cross/build-core.sh
 * compiles the core with it and measures that total.
 */
#ifndef AIRSWD_ESP8266_SIZES_H
#define AIRSWD_ESP8266_SIZES_H

/* Log lines held in RAM for GET /log; the log on the SPI flash keeps more (docs/esp8266.md). */
#define AIRSWD_SERVICE_LOG_LINES 16
/* Events kept for the event streams: a job sends one per phase and per 5 % of progress, and the port's loop serves
 * the streams on every turn (api_pump), so only a stream whose client stops reading falls 8 behind. */
#define AIRSWD_SERVICE_EVENTS 8
/* With 2 connections: one page with its event stream and one request, or two clients. */
#define AIRSWD_API_EVENT_STREAMS 2
#define AIRSWD_API_EXCHANGES 2

/* Flash read back per call when verifying without the CRC stub, and the program pass's run buffer: 264 bytes here
 * against 520 on Linux. HEX files program in 256-byte runs: 1-2 % more chip time at SWCLK 4 MHz than a binary's
 * 512-byte pieces (docs/flash.md). */
#define AIRSWD_JOB_READBACK_CHUNK 256

/* Connections the socket server holds (ports/common/http_server.h): the 2 of the budget. A third client waits in the
 * listen backlog, or takes the place of one that has waited longest for a request. */
#define HTTP_SERVER_CONNECTIONS 2
/* Bytes the socket server reads at a time, on the network task's stack (4 KB on Linux). */
#define HTTP_SERVER_RECEIVE_CHUNK 1024

/* No console bridge on the ESP8266 yet (docs/console.md): the API's console routes stay out of its code. */
#define AIRSWD_API_CONSOLE 0

#endif /* AIRSWD_ESP8266_SIZES_H */

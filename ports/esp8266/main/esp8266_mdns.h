/*
 * esp8266_mdns.h - the device's name on the local network: NAME.local, with the web page and the REST API announced
 * as _http._tcp. The TXT items path=/ and api=/api/v1 say where the page and the API are; airswd=VERSION (the
 * firmware's version) marks the instance as an airswd device for `airswd list`; gdb=PORT is the GDB server's port.
 */
#ifndef ESP8266_MDNS_H
#define ESP8266_MDNS_H

#include <stdint.h>

/* Announces NAME.local and its web page (_http._tcp), with the GDB port in the TXT record ("gdb", open only
 * while debug mode is on). */
void esp8266_mdns_start(const char *name, uint16_t http_port, uint16_t gdb_port, const char *version);

#endif /* ESP8266_MDNS_H */

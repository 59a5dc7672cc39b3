/*
 * esp8266_mdns.h - the device's name on the local network: NAME.local, with the web page and the REST API announced
 * as _http._tcp (and the GDB and console servers' ports once they exist). The TXT items path=/ and api=/api/v1 say
 * where the page and the API are; airswd=VERSION (the firmware's version) marks the instance as an airswd device
 * for `airswd list`.
 */
#ifndef ESP8266_MDNS_H
#define ESP8266_MDNS_H

#include <stdint.h>

void esp8266_mdns_start(const char *name, uint16_t http_port, const char *version);

#endif /* ESP8266_MDNS_H */

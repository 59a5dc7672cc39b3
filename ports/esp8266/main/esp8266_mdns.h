/*
 * esp8266_mdns.h - the device's name on the local network: NAME.local, with the web page and the REST API announced
 * as _http._tcp (and the GDB and console servers' ports once they exist).
 */
#ifndef ESP8266_MDNS_H
#define ESP8266_MDNS_H

#include <stdint.h>

void esp8266_mdns_start(const char *name, uint16_t http_port);

#endif /* ESP8266_MDNS_H */

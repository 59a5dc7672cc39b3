/*
 * esp8266_wifi.h - the device on the network: a station on the owner's WiFi, or the setup access point
 * "airswd-XXXXXX" (first boot, after a factory reset, or when the station has not connected for 2 minutes).
 */
#ifndef ESP8266_WIFI_H
#define ESP8266_WIFI_H

#include <stdbool.h>
#include <stdint.h>

#define ESP8266_WIFI_SSID_MAX     32
#define ESP8266_WIFI_PASSWORD_MAX 64
#define ESP8266_WIFI_NAME_MAX     16 /* "airswd-XXXXXX" */

struct esp8266_wifi_status {
    bool station_configured, station_connected, setup_ap;
    uint32_t station_ipv4, ap_ipv4; /* host byte order, 0: none */
    int rssi;
    unsigned ap_clients;
};

/* Starts WiFi (the SDK's event loop and TCP/IP stack first). An empty ssid starts only the setup access point. */
void esp8266_wifi_start(const char *ssid, const char *password);
/* New station settings, taken at once; the access point stays up until the station has its address. */
void esp8266_wifi_configure(const char *ssid, const char *password);
/* Every second or so from the network task: brings the access point up after 2 minutes without a connection. */
void esp8266_wifi_poll(void);
void esp8266_wifi_status(struct esp8266_wifi_status *status);
/* "airswd-" and the last three bytes of the station MAC: the access point's SSID and the mDNS host name. */
const char *esp8266_wifi_name(void);

#endif /* ESP8266_WIFI_H */

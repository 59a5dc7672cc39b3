/*
 * esp8266_mdns.c - mDNS announcement (esp8266_mdns.h), by the SDK's responder, which follows the WiFi events itself.
 */
#include "esp8266_mdns.h"

#include <stdio.h>

#include "esp8266_status.h"
#include "mdns.h"

void esp8266_mdns_start(const char *name, uint16_t http_port, uint16_t gdb_port, const char *version)
{
    /* The responder keeps copies of the items. */
    char gdb[6];
    snprintf(gdb, sizeof gdb, "%u", (unsigned)gdb_port);
    mdns_txt_item_t txt[] = {{"path", "/"}, {"api", "/api/v1"}, {"airswd", version}, {"gdb", gdb}};
    if (mdns_init() != ESP_OK || mdns_hostname_set(name) != ESP_OK || mdns_instance_name_set("airswd") != ESP_OK ||
        mdns_service_add(name, "_http", "_tcp", http_port, txt, sizeof txt / sizeof txt[0]) != ESP_OK) {
        esp8266_status_log_line("mdns: the responder did not start; the device answers on its address only");
    }
}

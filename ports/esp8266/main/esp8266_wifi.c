/*
 * esp8266_wifi.c - station and setup access point (esp8266_wifi.h).
 *
 * The SDK's event handlers run on its event task; the network task reads the state and calls poll and configure.
 * A critical section guards the few fields both touch.
 */
#include "esp8266_wifi.h"

#include <stdio.h>
#include <string.h>

#include "esp8266_status.h"
#include "esp8266_system.h"
#include "esp_event.h"
#include "esp_timer.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "tcpip_adapter.h"

#define FALLBACK_AFTER_US (120ll * 1000000) /* no station address for this long: the setup access point comes up */
#define AP_CHANNEL        1
#define AP_MAX_CLIENTS    2

static struct {
    char name[ESP8266_WIFI_NAME_MAX + 1];
    bool station_configured, station_connected, setup_ap;
    uint32_t station_ipv4;
    unsigned ap_clients;
    int64_t waiting_since_us; /* the station has had no address since */
} wifi;

static void show_state(void)
{
    esp8266_status_set(ESP8266_LED_SETUP_AP, wifi.setup_ap);
    esp8266_status_set(ESP8266_LED_CONNECTING, wifi.station_configured && !wifi.station_connected);
    esp8266_status_set(ESP8266_LED_CONNECTED, wifi.station_connected);
}

static void log_line(const char *format, const char *detail)
{
    char line[96];
    snprintf(line, sizeof line, format, detail);
    esp8266_status_log_line(line);
}

/* The mode follows the state: the station when configured, the access point when it must be up. */
static void apply_mode(void)
{
    wifi_mode_t mode = wifi.station_configured ? (wifi.setup_ap ? WIFI_MODE_APSTA : WIFI_MODE_STA) : WIFI_MODE_AP;
    esp_wifi_set_mode(mode);
    if (wifi.setup_ap) {
        wifi_config_t ap = {.ap = {.channel = AP_CHANNEL, .authmode = WIFI_AUTH_OPEN, .max_connection = AP_MAX_CLIENTS,
                                   .beacon_interval = 100}};
        memcpy(ap.ap.ssid, wifi.name, strlen(wifi.name));
        ap.ap.ssid_len = (uint8_t)strlen(wifi.name);
        esp_wifi_set_config(ESP_IF_WIFI_AP, &ap);
    }
    show_state();
}

static void on_wifi_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    (void)data;
    switch (id) {
    case WIFI_EVENT_STA_START:
        esp_wifi_connect();
        break;
    case WIFI_EVENT_STA_DISCONNECTED:
        taskENTER_CRITICAL();
        if (wifi.station_connected)
            wifi.waiting_since_us = esp_timer_get_time();
        wifi.station_connected = false;
        wifi.station_ipv4 = 0;
        taskEXIT_CRITICAL();
        show_state();
        if (wifi.station_configured)
            esp_wifi_connect(); /* the SDK retries the association; this starts the next attempt */
        break;
    case WIFI_EVENT_AP_STACONNECTED:
        wifi.ap_clients++;
        break;
    case WIFI_EVENT_AP_STADISCONNECTED:
        if (wifi.ap_clients > 0)
            wifi.ap_clients--;
        break;
    default:
        break;
    }
}

static void on_ip_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    if (id != IP_EVENT_STA_GOT_IP)
        return;
    const ip_event_got_ip_t *got = data;
    taskENTER_CRITICAL();
    wifi.station_connected = true;
    wifi.station_ipv4 = ntohl(got->ip_info.ip.addr);
    taskEXIT_CRITICAL();
    char address[16];
    snprintf(address, sizeof address, "%u.%u.%u.%u", (unsigned)(wifi.station_ipv4 >> 24) & 0xFF,
             (unsigned)(wifi.station_ipv4 >> 16) & 0xFF, (unsigned)(wifi.station_ipv4 >> 8) & 0xFF,
             (unsigned)wifi.station_ipv4 & 0xFF);
    log_line("wifi: connected, address %s", address);
    show_state();
}

const char *esp8266_wifi_name(void)
{
    return wifi.name;
}

static void set_station(const char *ssid, const char *password)
{
    wifi_config_t station = {0};
    memcpy(station.sta.ssid, ssid, strnlen(ssid, sizeof station.sta.ssid));
    memcpy(station.sta.password, password, strnlen(password, sizeof station.sta.password));
    esp_wifi_set_config(ESP_IF_WIFI_STA, &station);
}

void esp8266_wifi_start(const char *ssid, const char *password)
{
    uint8_t mac[6];
    tcpip_adapter_init();
    esp_event_loop_create_default();
    wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
    esp_wifi_init(&init);
    esp_wifi_set_storage(WIFI_STORAGE_RAM); /* the settings are airswd's own record, not the SDK's */
    esp_wifi_get_mac(ESP_IF_WIFI_STA, mac);
    snprintf(wifi.name, sizeof wifi.name, "airswd-%02x%02x%02x", mac[3], mac[4], mac[5]);
    esp_event_handler_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_wifi_event, NULL);
    esp_event_handler_register(IP_EVENT, IP_EVENT_STA_GOT_IP, on_ip_event, NULL);
    tcpip_adapter_set_hostname(TCPIP_ADAPTER_IF_STA, wifi.name);
    wifi.waiting_since_us = esp_timer_get_time();
    wifi.station_configured = ssid[0] != '\0';
    wifi.setup_ap = !wifi.station_configured;
    apply_mode();
    if (wifi.station_configured)
        set_station(ssid, password); /* the start event connects */
    esp_wifi_start();
    log_line(wifi.setup_ap ? "wifi: setup access point %s" : "wifi: joining as %s", wifi.name);
}

void esp8266_wifi_configure(const char *ssid, const char *password)
{
    bool was_configured = wifi.station_configured;
    wifi.station_configured = ssid[0] != '\0';
    if (!wifi.station_configured)
        wifi.setup_ap = true; /* no network to join: the access point is the only way to the device */
    if (was_configured != wifi.station_configured)
        apply_mode(); /* AP to AP + station (the access point stays until the station has its address), or back */
    set_station(ssid, password);
    if (was_configured) {
        esp_wifi_disconnect(); /* the disconnect event starts the connection with the new settings */
    } else if (wifi.station_configured) {
        esp_wifi_connect();
    }
    wifi.waiting_since_us = esp_timer_get_time();
    show_state();
}

void esp8266_wifi_poll(void)
{
    int64_t now = esp_timer_get_time();
    if (wifi.station_configured && !wifi.station_connected && !wifi.setup_ap &&
        now - wifi.waiting_since_us >= FALLBACK_AFTER_US) {
        wifi.setup_ap = true;
        apply_mode();
        log_line("wifi: no connection for 2 minutes: setup access point %s", wifi.name);
    } else if (wifi.station_configured && wifi.station_connected && wifi.setup_ap && wifi.ap_clients == 0) {
        wifi.setup_ap = false; /* back on the owner's network, and nobody uses the access point any more */
        apply_mode();
    }
}

void esp8266_wifi_status(struct esp8266_wifi_status *status)
{
    taskENTER_CRITICAL();
    *status = (struct esp8266_wifi_status){
        .station_configured = wifi.station_configured,
        .station_connected = wifi.station_connected,
        .setup_ap = wifi.setup_ap,
        .station_ipv4 = wifi.station_ipv4,
        .ap_clients = wifi.ap_clients,
    };
    taskEXIT_CRITICAL();
    tcpip_adapter_ip_info_t ap;
    if (status->setup_ap && tcpip_adapter_get_ip_info(TCPIP_ADAPTER_IF_AP, &ap) == ESP_OK)
        status->ap_ipv4 = ntohl(ap.ip.addr);
    wifi_ap_record_t record;
    if (status->station_connected && esp_wifi_sta_get_ap_info(&record) == ESP_OK)
        status->rssi = record.rssi;
}

/*
 * esp8266_board.c - the board record and struct api_board (esp8266_board.h).
 *
 * The record, version 1, little-endian, under PERSIST_TAG_BOARD: byte 0 the version; 1-33 the SSID and 34-98 the
 * WiFi password, each NUL-padded; 99-102 the GPIO of SWCLK, SWDIO, NRST and BOOT0 as signed bytes (-1: not wired).
 * A later version appends fields; a reader keeps its defaults for fields a shorter record lacks.
 */
#include "esp8266_board.h"

#include <stdio.h>
#include <string.h>

#include "esp_timer.h"
#include "esp8266_system.h"
#include "http_server.h"
#include "service/persist_flash.h"

#define RECORD_VERSION   1
#define OFFSET_SSID      1
#define OFFSET_PASSWORD  (OFFSET_SSID + ESP8266_WIFI_SSID_MAX + 1)
#define OFFSET_PINS      (OFFSET_PASSWORD + ESP8266_WIFI_PASSWORD_MAX + 1)
#define RECORD_SIZE      (OFFSET_PINS + 4)

/* First-boot setup proves physical presence by where and when it comes: from a client of the setup access point,
 * within this long after power-on (docs/security.md). */
#define SETUP_WINDOW_US (10ll * 60 * 1000000)

static void encode(const struct esp8266_board *board, uint8_t record[RECORD_SIZE])
{
    memset(record, 0, RECORD_SIZE);
    record[0] = RECORD_VERSION;
    memcpy(record + OFFSET_SSID, board->wifi_ssid, strlen(board->wifi_ssid));
    memcpy(record + OFFSET_PASSWORD, board->wifi_password, strlen(board->wifi_password));
    record[OFFSET_PINS + 0] = (uint8_t)board->pins.swclk;
    record[OFFSET_PINS + 1] = (uint8_t)board->pins.swdio;
    record[OFFSET_PINS + 2] = (uint8_t)board->pins.nrst;
    record[OFFSET_PINS + 3] = (uint8_t)board->pins.boot0;
}

static void decode(struct esp8266_board *board, const uint8_t *record, size_t len)
{
    if (len < OFFSET_PASSWORD || record[0] == 0)
        return;
    memcpy(board->wifi_ssid, record + OFFSET_SSID, ESP8266_WIFI_SSID_MAX);
    board->wifi_ssid[ESP8266_WIFI_SSID_MAX] = '\0';
    if (len >= OFFSET_PINS) {
        memcpy(board->wifi_password, record + OFFSET_PASSWORD, ESP8266_WIFI_PASSWORD_MAX);
        board->wifi_password[ESP8266_WIFI_PASSWORD_MAX] = '\0';
    }
    if (len >= RECORD_SIZE) {
        struct esp8266_pin_plan pins = {(int8_t)record[OFFSET_PINS], (int8_t)record[OFFSET_PINS + 1],
                                        (int8_t)record[OFFSET_PINS + 2], (int8_t)record[OFFSET_PINS + 3]};
        char why[96];
        if (esp8266_pin_plan_check(&pins, why, sizeof why))
            board->pins = pins;
    }
}

static bool save(struct esp8266_board *board)
{
    uint8_t record[RECORD_SIZE];
    encode(board, record);
    board->lock();
    enum status status = persist_flash_put(&board->device->persist_flash.keeper, PERSIST_TAG_BOARD, record,
                                           sizeof record);
    board->unlock();
    memset(record, 0, sizeof record);
    return status == STATUS_OK;
}

static void format_ipv4(uint32_t address, char out[16])
{
    if (address == 0) {
        out[0] = '\0';
        return;
    }
    snprintf(out, 16, "%u.%u.%u.%u", (unsigned)(address >> 24) & 0xFFu, (unsigned)(address >> 16) & 0xFFu,
             (unsigned)(address >> 8) & 0xFFu, (unsigned)address & 0xFFu);
}

static void board_get(void *ctx, struct api_board_settings *settings, struct api_board_status *status)
{
    struct esp8266_board *board = ctx;
    snprintf(settings->wifi_ssid, sizeof settings->wifi_ssid, "%s", board->wifi_ssid);
    settings->wifi_password[0] = '\0';
    settings->pin_swclk = board->pins.swclk;
    settings->pin_swdio = board->pins.swdio;
    settings->pin_nrst = board->pins.nrst;
    settings->pin_boot0 = board->pins.boot0;
    struct esp8266_wifi_status wifi;
    esp8266_wifi_status(&wifi);
    status->station_connected = wifi.station_connected;
    status->setup_ap = wifi.setup_ap;
    format_ipv4(wifi.station_ipv4, status->station_address);
    status->rssi = wifi.rssi;
    snprintf(status->hostname, sizeof status->hostname, "%s", esp8266_wifi_name());
}

static enum status board_set(void *ctx, const struct api_board_settings *settings, struct status_report *report)
{
    struct esp8266_board *board = ctx;
    struct esp8266_pin_plan pins = {settings->pin_swclk, settings->pin_swdio, settings->pin_nrst,
                                    settings->pin_boot0};
    char why[96];
    if (!esp8266_pin_plan_check(&pins, why, sizeof why))
        return status_fail(report, STATUS_INVALID_ARGUMENT, "%s", why);
    if (memcmp(&pins, &board->pins, sizeof pins) != 0 && service_job_busy(&board->device->service))
        return status_fail(report, STATUS_STORE_BUSY, "the pins cannot change while a job runs on them");
    bool wifi_changed = strcmp(settings->wifi_ssid, board->wifi_ssid) != 0 || settings->wifi_password[0] != '\0';
    bool pins_changed = memcmp(&pins, &board->pins, sizeof pins) != 0;
    struct esp8266_board before = *board;
    snprintf(board->wifi_ssid, sizeof board->wifi_ssid, "%s", settings->wifi_ssid);
    if (settings->wifi_password[0] != '\0' || settings->wifi_ssid[0] == '\0')
        snprintf(board->wifi_password, sizeof board->wifi_password, "%s", settings->wifi_password);
    board->pins = pins;
    if (!save(board)) {
        snprintf(board->wifi_ssid, sizeof board->wifi_ssid, "%s", before.wifi_ssid);
        snprintf(board->wifi_password, sizeof board->wifi_password, "%s", before.wifi_password);
        board->pins = before.pins;
        memset(&before, 0, sizeof before);
        return status_fail(report, STATUS_STORE_IO, "the board record could not be written to the flash");
    }
    memset(&before, 0, sizeof before);
    board->wifi_changed = board->wifi_changed || wifi_changed;
    board->pins_changed = board->pins_changed || pins_changed;
    return STATUS_OK;
}

static bool setup_allowed(void *ctx, const struct http_request *req, char *why, size_t size)
{
    (void)ctx;
    const struct http_server_slot *slot = req->connection->user;
    struct esp8266_wifi_status wifi;
    esp8266_wifi_status(&wifi);
    bool from_ap = wifi.setup_ap && wifi.ap_ipv4 != 0 && slot->local_ipv4 == wifi.ap_ipv4;
    bool in_window = esp_timer_get_time() < SETUP_WINDOW_US;
    if (from_ap && in_window)
        return true;
    snprintf(why, size, "setup is done from the device's own access point %s within 10 minutes of power-on: "
             "%s", esp8266_wifi_name(),
             from_ap ? "power the device off and on, then set it up at once" : "connect to it and open 192.168.4.1");
    return false;
}

void esp8266_board_load(struct esp8266_board *board, struct device *device, void (*lock)(void), void (*unlock)(void),
                        void (*apply_pins)(const struct esp8266_pin_plan *pins))
{
    memset(board, 0, sizeof *board);
    board->device = device;
    board->lock = lock;
    board->unlock = unlock;
    board->apply_pins = apply_pins;
    esp8266_pin_plan_default(&board->pins);
    uint8_t record[RECORD_SIZE + 64]; /* room for a later version's longer record */
    size_t len = 0;
    lock();
    enum status status = persist_flash_get(&device->persist_flash.keeper, PERSIST_TAG_BOARD, record, sizeof record,
                                           &len);
    unlock();
    if (status == STATUS_OK)
        decode(board, record, len);
    memset(record, 0, sizeof record);
    board->api = (struct api_board){.ctx = board, .setup_allowed = setup_allowed, .get = board_get, .set = board_set};
}

void esp8266_board_erase(struct esp8266_board *board)
{
    board->wifi_ssid[0] = '\0';
    memset(board->wifi_password, 0, sizeof board->wifi_password);
    esp8266_pin_plan_default(&board->pins);
    save(board);
}

void esp8266_board_apply(struct esp8266_board *board)
{
    if (board->wifi_changed) {
        board->wifi_changed = false;
        esp8266_wifi_configure(board->wifi_ssid, board->wifi_password);
    }
    if (board->pins_changed) {
        board->pins_changed = false;
        board->apply_pins(&board->pins);
    }
}

/*
 * esp8266_main.c - the airswd firmware's start-up and its two tasks.
 *
 * app_main runs in the SDK's main task, which becomes the network task: it serves HTTP on port 80 (lwIP sockets,
 * ports/common/http_server.c), pumps the event streams, and looks after WiFi and the board's settings. The job task
 * runs flash jobs on the STM32 when the service queues one, and between jobs serves the GDB port while debug mode
 * is on (ports/common/gdb_listener.c): a session and a job never share the link (the service refuses the one while
 * the other runs), so one task, and one stack, serves both. Both tasks share the device (src/device) and its lock.
 *
 * Start-up: the firmware first confirms or rolls back an update on trial (esp8266_firmware.c), opens its two data
 * partitions, starts the device through the core's entry (the same as airswdd's), reads the board record (WiFi,
 * pins), sets the pins up, starts the LED and button, WiFi and mDNS, then serves.
 */
#include <stdio.h>
#include <string.h>

#include "device/device.h"
#include "esp8266_board.h"
#include "esp8266_firmware.h"
#include "esp8266_mdns.h"
#include "esp8266_pins.h"
#include "esp8266_uart.h"
#include "esp8266_status.h"
#include "esp8266_storage.h"
#include "esp8266_system.h"
#include "esp8266_wifi.h"
#include "esp8266_swd.h"
#include "gdb_listener.h"
#include "esp_clk.h"
#include "esp_heap_caps.h"
#include "esp_timer.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"
#include "http_server.h"
#include "lwip/sockets.h"
#include "sdkconfig.h"
#include "web_assets.h"

/* A connection holds at most one exchange at a time: with as many exchanges, slow clients holding some can never
 * refuse a request that got a connection (airswd_config.h). */
_Static_assert(API_EXCHANGES >= HTTP_SERVER_CONNECTIONS, "an API exchange for every HTTP connection");

#define AIRSWD_FIRMWARE_VERSION "0.5.0"
#define HTTP_PORT               80
#define GDB_PORT                2022 /* as Black Magic Probe firmwares on the ESP8266 use */
#define GDB_LOOK_MS             100  /* the job task looks at debug mode and the GDB port this often */
/* What a GDB session takes from the heap, which scripts/esp8266-budgets.sh counts. */
#define GDB_SESSION_HEAP        3500 /* 3,480 B on the lx106, and the allocator's header */
_Static_assert(sizeof(struct gdb_server) <= GDB_SESSION_HEAP, "the GDB engine's state grew: count it in the budgets");
#define JOB_TASK_STACK          CONFIG_AIRSWD_JOB_TASK_STACK
#define JOB_TASK_PRIORITY       1 /* below the network task: a long flash never starves the page or the API */
#define NETWORK_TASK_PRIORITY   2
#define POLL_MS                 50
/* The heap is written to the log 30 s after start (WiFi up) and every 10 minutes: docs/esp8266.md compares it with
 * the estimate of the build, and tests/hil reads it. */
#define HEAP_LOG_FIRST_US       (30ll * 1000000)
#define HEAP_LOG_EVERY_US       (600ll * 1000000)

/* The device's state: statics of the port (the core keeps none), sized in docs/esp8266.md. */
static struct device device;
static struct http_server server;
static struct gdb_listener gdb;
static struct esp8266_system network_system, job_system;
static struct esp8266_storage settings_storage, store_storage;
static struct esp8266_pins pins;
static struct esp8266_uart uart; /* UART0: the STM32's USART1 and its ROM bootloader */
static struct esp8266_swd wire;
static struct hal_swd swd;
static struct esp8266_board board;
static SemaphoreHandle_t device_lock;
static SemaphoreHandle_t job_signal;
static volatile bool factory_reset_requested;

/* A factory reset set in RTC memory survives the restart that carries it out. */
#define FACTORY_RESET_MAGIC 0xFAC70123u
static RTC_NOINIT_ATTR uint32_t factory_reset_flag;

static void lock(void *ctx)
{
    (void)ctx;
    xSemaphoreTakeRecursive(device_lock, portMAX_DELAY);
}

static void unlock(void *ctx)
{
    (void)ctx;
    xSemaphoreGiveRecursive(device_lock);
}

static void board_lock(void)
{
    lock(NULL);
}

static void board_unlock(void)
{
    unlock(NULL);
}

static void job_queued(void *ctx)
{
    (void)ctx;
    xSemaphoreGive(job_signal);
}

static void notice(void *ctx, const char *line)
{
    (void)ctx;
    esp8266_status_log_line(line);
}

static bool last_job_failed(void)
{
    struct service_job_record record;
    lock(NULL);
    uint32_t last = device.service.last_job_id;
    unlock(NULL);
    return last != 0 && service_job_get(&device.service, last, &record) && record.state == SERVICE_JOB_FAILED;
}

/* The engine's state (3.4 KB) lives on the heap only while a client is served: the heap at start keeps its
 * margin for WiFi, lwIP and mbedTLS (docs/esp8266.md). Byte-addressable memory: the engine reads its packet
 * buffers byte by byte, which the instruction RAM's part of the heap does not allow. */
static struct gdb_server *gdb_session_take(void *ctx)
{
    (void)ctx;
    return heap_caps_malloc(sizeof(struct gdb_server), MALLOC_CAP_8BIT);
}

static void gdb_session_give(void *ctx, struct gdb_server *session)
{
    (void)ctx;
    heap_caps_free(session);
}

static void gdb_log_line(void *ctx, const char *line)
{
    (void)ctx;
    char text[160];
    snprintf(text, sizeof text, "gdb: %s", line);
    esp8266_status_log_line(text);
}

static void job_task(void *arg)
{
    (void)arg;
    for (;;) {
        if (xSemaphoreTake(job_signal, pdMS_TO_TICKS(GDB_LOOK_MS)) == pdTRUE) {
            esp8266_status_set(ESP8266_LED_JOB, true);
            device_run_jobs(&device);
            esp8266_status_set(ESP8266_LED_JOB, false);
            esp8266_status_set(ESP8266_LED_ERROR, last_job_failed());
        }
        (void)gdb_listener_poll(&gdb, 0); /* a client's whole session runs in here */
    }
}

/* The button was held 5 s (on the LED task): the reset itself runs on the network task. */
static void request_factory_reset(void)
{
    factory_reset_requested = true;
}

static void factory_reset(void)
{
    esp8266_status_log_line("factory reset: forgetting setup, keys, WiFi and pins; emptying the store");
    device_stop(&device);
    esp8266_board_erase(&board);
    factory_reset_flag = FACTORY_RESET_MAGIC; /* the store is emptied at the next start, like airswdd --factory-reset */
    esp_restart();
}

/* The pins' functions first (GPIO, SWDIO's pull-up: esp8266_pins.c), then the wire over them, at the SWCLK the
 * service's settings ask for (set again by each job). */
static void apply_pins(const struct esp8266_pin_plan *plan)
{
    esp8266_pins_init(&pins, plan);
    const struct esp8266_swd_config config = {.gpio_base = ESP8266_SWD_GPIO_BASE, .swclk_gpio = (uint8_t)plan->swclk,
                                              .swdio_gpio = (uint8_t)plan->swdio, .cpu_hz = esp_clk_cpu_freq()};
    if (!esp8266_swd_init(&wire, &config))
        esp8266_status_log_line("swd: the pins of the board record cannot carry SWD");
    esp8266_swd_bind(&wire, &swd);
}

/* Halts with the error pattern on the LED: the device cannot work (a partition table of another firmware). */
static void fail(const char *why)
{
    esp8266_status_log_line(why);
    esp8266_status_set(ESP8266_LED_ERROR, true);
    for (;;)
        vTaskDelay(portMAX_DELAY);
}

static void log_heap(void)
{
    static int64_t next_us = HEAP_LOG_FIRST_US;
    if (esp_timer_get_time() < next_us)
        return;
    next_us += HEAP_LOG_EVERY_US;
    service_log(&device.service, "heap: %u B free (%u B of it byte-addressable), lowest since start %u B",
                (unsigned)esp_get_free_heap_size(), (unsigned)heap_caps_get_free_size(MALLOC_CAP_8BIT),
                (unsigned)esp_get_minimum_free_heap_size());
}

static void serve(void)
{
    if (http_server_open(&server, &device.api.http, &network_system.hal, INADDR_ANY, HTTP_PORT) != 0)
        fail("http: cannot listen on port 80");
    for (;;) {
        http_server_poll(&server, POLL_MS);
        device_pump(&device);
        esp8266_wifi_poll();
        esp8266_board_apply(&board);
        struct esp8266_wifi_status wifi;
        esp8266_wifi_status(&wifi);
        esp8266_firmware_poll(&device.service, wifi.station_connected || wifi.setup_ap);
        log_heap();
        if (factory_reset_requested)
            factory_reset();
    }
}

void app_main(void);
void app_main(void)
{
    char line[128];
    snprintf(line, sizeof line, "airswd %s on ESP8266, reset reason %d", AIRSWD_FIRMWARE_VERSION,
             (int)esp_reset_reason());
    esp8266_status_log_line(line);
    device_lock = xSemaphoreCreateRecursiveMutex();
    job_signal = xSemaphoreCreateBinary();
    if (!esp8266_storage_open(&settings_storage, ESP8266_PARTITION_SETTINGS) ||
        !esp8266_storage_open(&store_storage, ESP8266_PARTITION_STORE))
        fail("flash: the partition table has no airswd or store partition: flash airswd's own image");
    /* First, before anything that could crash: an update on trial points the bootloader back at the previous
     * firmware. The settings keeper is mounted here for it; device_start mounts it again for the service. */
    service_persist_flash_mount(&device.persist_flash, &settings_storage.hal, 0, settings_storage.hal.sector_count);
    const struct firmware_update_port *firmware = esp8266_firmware_boot(&device.persist_flash.keeper, board_lock,
                                                                        board_unlock);
    esp8266_system_init(&network_system);
    esp8266_system_init(&job_system);

    bool reset = factory_reset_flag == FACTORY_RESET_MAGIC;
    factory_reset_flag = 0;
    esp8266_uart_init(&uart);
    const struct device_config config = {
        .system = &network_system.hal,
        /* SWD, and the STM32's ROM bootloader on UART0 when SWD does not answer (docs/uart.md). */
        .target = {.swd = &swd, .system = &job_system.hal, .pins = &pins.hal, .transport = JOB_TRANSPORT_AUTO,
                   .uart = &uart.hal},
        .target_name = "swd",
        .version = AIRSWD_FIRMWARE_VERSION,
        .store_storage = &store_storage.hal,
        .persist_storage = &settings_storage.hal,
        .persist_first_sector = 0,
        .persist_sector_count = settings_storage.hal.sector_count,
        .lock = lock,
        .unlock = unlock,
        .job_queued = job_queued,
        .files = web_asset_api_file,
        .board = &board.api,
        .firmware = firmware,
        .factory_reset = reset,
        .factory_reset_how = "the FLASH button is held for 5 s",
        .notice = notice,
    };
    struct status_report report = {0};
    if (device_start(&device, &config, &report) != STATUS_OK) {
        snprintf(line, sizeof line, "staging store: %s", report.detail);
        fail(line);
    }
    esp8266_board_load(&board, &device, board_lock, board_unlock, apply_pins);
    apply_pins(&board.pins);
    esp8266_status_start(CONFIG_AIRSWD_PIN_LED, CONFIG_AIRSWD_PIN_BUTTON, request_factory_reset);
    esp8266_wifi_start(board.wifi_ssid, board.wifi_password);
    esp8266_mdns_start(esp8266_wifi_name(), HTTP_PORT, GDB_PORT, AIRSWD_FIRMWARE_VERSION);
    /* The names the device answers to in Host besides its addresses (api_guard.c): its hostname and mDNS name. */
    static char mdns_name[ESP8266_WIFI_NAME_MAX + sizeof ".local"];
    snprintf(mdns_name, sizeof mdns_name, "%s.local", esp8266_wifi_name());
    api_add_host_name(&device.api, esp8266_wifi_name());
    api_add_host_name(&device.api, mdns_name);
    const struct gdb_listener_config gdb_config = {
        .service = &device.service,
        .swd = &swd,
        .system = &job_system.hal,
        .pins = &pins.hal,
        .version = AIRSWD_FIRMWARE_VERSION,
        .address = INADDR_ANY,
        .port = GDB_PORT,
        .session_take = gdb_session_take,
        .session_give = gdb_session_give,
        .log_line = gdb_log_line,
    };
    gdb_listener_init(&gdb, &gdb_config);
    xTaskCreate(job_task, "airswd-job", JOB_TASK_STACK, NULL, JOB_TASK_PRIORITY, NULL);
    vTaskPrioritySet(NULL, NETWORK_TASK_PRIORITY);
    serve();
}

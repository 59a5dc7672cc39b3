/*
 * esp8266_system.c - struct hal_system on the ESP8266 (esp8266_system.h).
 */
#include "esp8266_system.h"

#include <stdio.h>
#include <string.h>

#include "esp_system.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "mbedtls/sha256.h"
#include "rom/ets_sys.h"

/* A task that only yields keeps lower-priority tasks from running, the idle task among them, which feeds the task
 * watchdog (a reset after some seconds). So every so often a long loop blocks for one tick; 1 tick in 500 ms costs
 * 2 % of a flash job's time. Higher-priority tasks (WiFi, lwIP, the HTTP server) preempt it whenever they wake. */
#define BLOCK_EVERY_US 500000

/* Raw samples of the hardware generator condensed into one SHA-256 output: 4 bits of input per bit of output, so
 * that a biased or partly predictable source still gives full-entropy bytes. */
#define RANDOM_SAMPLES_PER_BLOCK 32

uint64_t esp8266_now_us(void)
{
    return (uint64_t)esp_timer_get_time();
}

static uint64_t now_us(void *ctx)
{
    (void)ctx;
    return esp8266_now_us();
}

/* Short waits spin (the wire's timing); longer ones sleep, which also lets the rest of the system run. */
static void delay_us(void *ctx, uint32_t us)
{
    (void)ctx;
    const uint32_t tick_us = 1000000u / configTICK_RATE_HZ;
    if (us >= 2 * tick_us) {
        vTaskDelay(us / tick_us);
        us %= tick_us;
    }
    if (us > 0)
        ets_delay_us(us);
}

static bool yield(void *ctx)
{
    struct esp8266_system *system = ctx;
    int64_t now = esp_timer_get_time();
    if (now - system->last_block_us >= BLOCK_EVERY_US) {
        vTaskDelay(1);
        system->last_block_us = esp_timer_get_time();
    } else {
        taskYIELD();
    }
    return false; /* cancellation is the service's: it wraps this yield for its jobs */
}

static inline uint32_t cycle_count(void)
{
    uint32_t ccount;
    __asm__ volatile("rsr %0, ccount" : "=r"(ccount));
    return ccount;
}

void esp8266_random(void *ctx, void *buf, size_t len)
{
    struct esp8266_system *system = ctx;
    uint8_t *out = buf;
    while (len > 0) {
        uint32_t samples[RANDOM_SAMPLES_PER_BLOCK + 2];
        samples[0] = ++system->random_counter;
        samples[1] = cycle_count();
        for (unsigned i = 2; i < RANDOM_SAMPLES_PER_BLOCK + 2; i++) {
            samples[i] = esp_random() ^ cycle_count();
            ets_delay_us(1); /* the generator's register refreshes between reads */
        }
        uint8_t block[32];
        mbedtls_sha256_ret((const unsigned char *)samples, sizeof samples, block, 0);
        size_t take = len < sizeof block ? len : sizeof block;
        memcpy(out, block, take);
        memset(block, 0, sizeof block);
        out += take;
        len -= take;
    }
}

static void log_line(void *ctx, enum hal_log_level level, const char *line)
{
    (void)ctx;
    static const char *const prefixes[] = {"E ", "W ", "I ", "D "};
    if (level <= HAL_LOG_INFO)
        printf("%s%s\n", prefixes[level], line);
}

void esp8266_system_init(struct esp8266_system *system)
{
    memset(system, 0, sizeof *system);
    system->hal = (struct hal_system){
        .ctx = system,
        .now_us = now_us,
        .delay_us = delay_us,
        .yield = yield,
        .random = esp8266_random,
        .log = log_line,
    };
    system->last_block_us = esp_timer_get_time();
}

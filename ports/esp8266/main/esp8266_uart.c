/*
 * esp8266_uart.c - the STM32's UART on the ESP8266's UART0 (esp8266_uart.h).
 */
#include "esp8266_uart.h"

#include "freertos/FreeRTOS.h" /* before the driver's header, which uses its queues */
#include "driver/uart.h"

/* The receive ring: more than the hardware FIFO (128 bytes), enough for a Read Memory block and its ACK. */
#define RX_RING_BYTES 512

static bool stm32_uart_configure(void *ctx, uint32_t baud, enum hal_uart_parity parity)
{
    struct esp8266_uart *uart = ctx;
    uart_config_t config = {
        .baud_rate = (int)baud,
        .data_bits = UART_DATA_8_BITS,
        .parity = parity == HAL_UART_PARITY_EVEN ? UART_PARITY_EVEN : UART_PARITY_DISABLE,
        .stop_bits = UART_STOP_BITS_1,
        .flow_ctrl = UART_HW_FLOWCTRL_DISABLE,
    };
    if (uart_param_config(UART_NUM_0, &config) != ESP_OK)
        return false;
    if (!uart->installed)
        uart->installed = uart_driver_install(UART_NUM_0, RX_RING_BYTES, 0, 0, NULL, 0) == ESP_OK;
    return uart->installed;
}

/* Without a transmit ring the driver returns once the bytes are in the hardware FIFO. */
static size_t stm32_uart_write(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    int put = uart_write_bytes(UART_NUM_0, (const char *)data, len);
    return put > 0 ? (size_t)put : 0;
}

static size_t stm32_uart_read(void *ctx, uint8_t *data, size_t len, uint32_t timeout_ms)
{
    struct esp8266_uart *uart = ctx;
    if (!uart->installed)
        return 0;
    TickType_t ticks = pdMS_TO_TICKS(timeout_ms);
    int got = uart_read_bytes(UART_NUM_0, data, (uint32_t)len, ticks > 0 ? ticks : 1);
    return got > 0 ? (size_t)got : 0;
}

static void stm32_uart_flush(void *ctx)
{
    struct esp8266_uart *uart = ctx;
    if (uart->installed)
        (void)uart_flush_input(UART_NUM_0);
}

void esp8266_uart_init(struct esp8266_uart *uart)
{
    *uart = (struct esp8266_uart){0};
    uart->hal = (struct hal_uart){
        .ctx = uart,
        .configure = stm32_uart_configure,
        .write = stm32_uart_write,
        .read = stm32_uart_read,
        .flush_input = stm32_uart_flush,
    };
}

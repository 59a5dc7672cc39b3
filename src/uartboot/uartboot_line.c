/*
 * uartboot_line.c - the byte conversation with the ROM bootloader: sending frames with their checksum, waiting for
 * ACK or NACK within bounds set by the baud rate, and putting the ROM back in step after a lost byte.
 */
#include "uartboot/uartboot_internal.h"

/* The ROM answers a command at once; this covers a host's scheduling and a USB serial adapter's latency. */
#define ANSWER_WAIT_US 100000u
/* How long a filler byte waits for the ROM to answer before the next one is sent. */
#define FILLER_WAIT_US 2000u
/* Bits of one 8E1 frame: start, 8 data, parity, stop. */
#define FRAME_BITS 11u

uint32_t uartboot_line_us(const struct uartboot *boot, uint32_t bytes)
{
    return (uint32_t)(((uint64_t)bytes * FRAME_BITS * 1000000u + boot->baud - 1u) / boot->baud);
}

static uint64_t now_us(const struct uartboot *boot)
{
    return boot->system->now_us(boot->system->ctx);
}

bool uartboot_send(struct uartboot *boot, const uint8_t *bytes, uint32_t len)
{
    /* A port whose queue is full takes fewer bytes: it drains at the line's pace. */
    uint64_t deadline = now_us(boot) + uartboot_line_us(boot, len) + ANSWER_WAIT_US;
    while (len > 0) {
        size_t taken = boot->uart->write(boot->uart->ctx, bytes, len);
        bytes += taken;
        len -= (uint32_t)taken;
        if (len > 0 && now_us(boot) > deadline)
            return false;
        if (len > 0)
            boot->system->delay_us(boot->system->ctx, uartboot_line_us(boot, 1));
    }
    return true;
}

bool uartboot_receive(struct uartboot *boot, uint8_t *bytes, uint32_t len, uint32_t wait_us)
{
    uint64_t deadline = now_us(boot) + uartboot_line_us(boot, len) + wait_us;
    uint32_t got = 0;
    while (got < len) {
        uint64_t now = now_us(boot);
        if (now >= deadline)
            return false;
        uint32_t left_ms = (uint32_t)((deadline - now + 999u) / 1000u);
        got += (uint32_t)boot->uart->read(boot->uart->ctx, bytes + got, len - got, left_ms);
    }
    return true;
}

enum uartboot_answer uartboot_await(struct uartboot *boot, uint32_t busy_us)
{
    uint8_t answer;
    if (!uartboot_receive(boot, &answer, 1, busy_us + ANSWER_WAIT_US))
        return UARTBOOT_ANSWER_NONE;
    if (answer == UARTBOOT_ACK)
        return UARTBOOT_ANSWER_ACK;
    return answer == UARTBOOT_NACK ? UARTBOOT_ANSWER_NACK : UARTBOOT_ANSWER_GARBLED;
}

enum uartboot_answer uartboot_command(struct uartboot *boot, uint8_t code)
{
    const uint8_t frame[2] = {code, (uint8_t)~code};
    return uartboot_send(boot, frame, 2) ? uartboot_await(boot, 0) : UARTBOOT_ANSWER_NONE;
}

enum uartboot_answer uartboot_frame(struct uartboot *boot, const uint8_t *head, uint32_t head_len,
                                    const uint8_t *body, uint32_t body_len, uint32_t busy_us)
{
    uint8_t checksum = 0;
    for (uint32_t i = 0; i < head_len; i++)
        checksum ^= head[i];
    for (uint32_t i = 0; i < body_len; i++)
        checksum ^= body[i];
    bool sent = uartboot_send(boot, head, head_len) && (body_len == 0 || uartboot_send(boot, body, body_len)) &&
                uartboot_send(boot, &checksum, 1);
    return sent ? uartboot_await(boot, busy_us) : UARTBOOT_ANSWER_NONE;
}

enum uartboot_answer uartboot_address(struct uartboot *boot, uint32_t address)
{
    const uint8_t bytes[4] = {(uint8_t)(address >> 24), (uint8_t)(address >> 16), (uint8_t)(address >> 8),
                              (uint8_t)address};
    return uartboot_frame(boot, bytes, 4, NULL, 0, 0);
}

/* The ROM has no byte timeout: after a lost byte it waits in the middle of a frame for ever. Filler bytes complete
 * the frame (whose checksum then fails) or form a command with a wrong complement; either way the ROM answers and
 * waits for a command. Whatever else is on the line is dropped. */
void uartboot_resynchronise(struct uartboot *boot)
{
    const uint8_t filler = 0xFF;
    uint8_t answer;
    for (uint32_t i = 0; i < UARTBOOT_BLOCK + 4u; i++) {
        if (!uartboot_send(boot, &filler, 1) || uartboot_receive(boot, &answer, 1, FILLER_WAIT_US))
            break;
        (void)boot->system->yield(boot->system->ctx); /* cancellation waits for the line to be in step */
    }
    while (uartboot_receive(boot, &answer, 1, FILLER_WAIT_US))
        continue;
    if (boot->uart->flush_input != NULL)
        boot->uart->flush_input(boot->uart->ctx);
}

/* 0x7F sets the ROM's baud rate and is answered ACK; a ROM already in step takes it as a command and answers NACK
 * to the second. Bytes the firmware prints when BOOT0 did not take are neither. */
enum status uartboot_synchronise(struct uartboot *boot)
{
    const uint8_t sync = UARTBOOT_SYNC;
    for (unsigned attempt = 0; attempt < UARTBOOT_RETRIES + 1u; attempt++) {
        if (boot->uart->flush_input != NULL)
            boot->uart->flush_input(boot->uart->ctx);
        if (!uartboot_send(boot, &sync, 1))
            break;
        enum uartboot_answer answer = uartboot_await(boot, 0);
        if (answer == UARTBOOT_ANSWER_ACK || answer == UARTBOOT_ANSWER_NACK)
            return STATUS_OK;
    }
    return status_fail(boot->report, STATUS_BOOTLOADER_SILENT, "no answer to 0x7F at %lu baud 8E1",
                       (unsigned long)boot->baud);
}

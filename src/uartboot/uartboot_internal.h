/*
 * uartboot_internal.h - what the files of the bootloader client share: the line (uartboot_line.c).
 */
#ifndef AIRSWD_UARTBOOT_INTERNAL_H
#define AIRSWD_UARTBOOT_INTERNAL_H

#include "uartboot/uartboot.h"

enum uartboot_answer {
    UARTBOOT_ANSWER_ACK,
    UARTBOOT_ANSWER_NACK,
    UARTBOOT_ANSWER_NONE,    /* nothing within the time allowed */
    UARTBOOT_ANSWER_GARBLED, /* a byte that is neither ACK nor NACK */
};

/* Line time of bytes at the configured baud, 8E1 (11 bits a byte), rounded up to whole microseconds. */
uint32_t uartboot_line_us(const struct uartboot *boot, uint32_t bytes);
bool uartboot_send(struct uartboot *boot, const uint8_t *bytes, uint32_t len);
/* Exactly len bytes, within their line time plus wait_us; false otherwise. */
bool uartboot_receive(struct uartboot *boot, uint8_t *bytes, uint32_t len, uint32_t wait_us);
/* One ACK or NACK, within the ordinary answer time plus busy_us (what the ROM does before it answers). */
enum uartboot_answer uartboot_await(struct uartboot *boot, uint32_t busy_us);
/* A command code and its complement, then the answer. */
enum uartboot_answer uartboot_command(struct uartboot *boot, uint8_t code);
/* head, then body, then the XOR of both, then the answer. */
enum uartboot_answer uartboot_frame(struct uartboot *boot, const uint8_t *head, uint32_t head_len,
                                    const uint8_t *body, uint32_t body_len, uint32_t busy_us);
/* Four address bytes, most significant first, and their XOR. */
enum uartboot_answer uartboot_address(struct uartboot *boot, uint32_t address);
/* Brings a ROM left in the middle of a frame back to waiting for a command. */
void uartboot_resynchronise(struct uartboot *boot);
/* 0x7F until the ROM answers; STATUS_BOOTLOADER_SILENT when it never does. */
enum status uartboot_synchronise(struct uartboot *boot);

#endif /* AIRSWD_UARTBOOT_INTERNAL_H */

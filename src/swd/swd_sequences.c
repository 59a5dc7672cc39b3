/*
 * swd_sequences.c - the line sequences that reset the SW-DP and select SWD on a shared SWJ-DP or a dormant DPv2
 * debug port (ADIv5.2 B4.3, ADIv6 B5.3). Every sequence goes out LSB first.
 */
#include "swd.h"
#include "swd_bits.h"

/* More than the 50 high cycles the specification asks for: some STM32 want 51 or more and 3-4 idle cycles. */
#define SWD_LINE_RESET_HIGH_CYCLES 60
#define SWD_LINE_RESET_IDLE_CYCLES 4

#define SWD_JTAG_TO_SWD_SEQUENCE 0xE79Eu     /* 16 bits */
#define SWD_ACTIVATION_CODE 0x1Au            /* 8 bits, selects SW-DP after the selection alert */
#define SWD_DORMANT_PREAMBLE_HIGH_CYCLES 8
#define SWD_DORMANT_ALERT_TRAILER_LOW_CYCLES 4

/* The 128-bit selection alert, least significant word first. */
static const uint32_t swd_selection_alert[4] = {0x6209F392u, 0x86852D95u, 0xE3DDAFE9u, 0x19BC0EA2u};

static void swd_trace_sequence(struct swd *swd, enum swd_trace_kind kind)
{
    if (swd->trace) {
        struct swd_trace_event event = {.kind = kind};
        swd->trace(swd->trace_user, &event);
    }
}

void swd_line_reset(struct swd *swd)
{
    const struct hal_swd *pins = swd->pins;
    pins->set_swdio_output(pins->ctx, true);
    swd_bits_repeat(pins, true, SWD_LINE_RESET_HIGH_CYCLES);
    swd_bits_repeat(pins, false, SWD_LINE_RESET_IDLE_CYCLES);
    swd->stats.line_resets++;
    swd_trace_sequence(swd, SWD_TRACE_LINE_RESET);
}

void swd_jtag_to_swd(struct swd *swd)
{
    const struct hal_swd *pins = swd->pins;
    pins->set_swdio_output(pins->ctx, true);
    /* The high cycles put the JTAG TAP in Test-Logic-Reset before the select sequence. */
    swd_bits_repeat(pins, true, SWD_LINE_RESET_HIGH_CYCLES);
    swd_bits_write(pins, SWD_JTAG_TO_SWD_SEQUENCE, 16);
    swd_trace_sequence(swd, SWD_TRACE_JTAG_TO_SWD);
    swd_line_reset(swd);
}

void swd_dormant_to_swd(struct swd *swd)
{
    const struct hal_swd *pins = swd->pins;
    pins->set_swdio_output(pins->ctx, true);
    swd_bits_repeat(pins, true, SWD_DORMANT_PREAMBLE_HIGH_CYCLES);
    for (unsigned i = 0; i < 4; i++)
        swd_bits_write(pins, swd_selection_alert[i], 32);
    swd_bits_repeat(pins, false, SWD_DORMANT_ALERT_TRAILER_LOW_CYCLES);
    swd_bits_write(pins, SWD_ACTIVATION_CODE, 8);
    swd_trace_sequence(swd, SWD_TRACE_DORMANT_TO_SWD);
    swd_line_reset(swd);
}

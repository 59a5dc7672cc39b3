/*
 * sim_swj.c - line sequence detectors. The 16-bit select sequences follow a run of ones, so they are captured
 * after it; the longer dormant sequences are matched against a sliding window of the last samples, which is
 * cleared on every mode change so that bits from before the change never complete a sequence.
 */
#include "sim_swj.h"

#include <limits.h>
#include <string.h>

#define WAKE_MIN_HIGH            8u
#define WAKE_LOW_CYCLES          4u
#define SWDP_ACTIVATION_CODE     0x1Au
#define SWDP_ACTIVATION_BITS     8u
#define JTAG_TO_DORMANT_MIN_HIGH 5u
#define JTAG_TO_DORMANT          0x33BBBBBAu
#define JTAG_TO_DORMANT_BITS     31u
#define SELECT_BITS              16u

/* The dormant selection alert, ADIv5.2 B5.3.4: sent byte by byte, each byte LSB first. */
static const uint8_t selection_alert[16] = {0x92, 0xF3, 0x09, 0x62, 0x95, 0x2D, 0x85, 0x86,
                                            0xE9, 0xAF, 0xDD, 0xE3, 0xA2, 0x0E, 0xBC, 0x19};

static void window_push(uint64_t window[SIM_SWJ_WINDOW_WORDS], bool bit)
{
    for (unsigned i = 0; i + 1 < SIM_SWJ_WINDOW_WORDS; i++)
        window[i] = (window[i] >> 1) | (window[i + 1] << 63);
    window[SIM_SWJ_WINDOW_WORDS - 1] = (window[SIM_SWJ_WINDOW_WORDS - 1] >> 1) | ((uint64_t)bit << 63);
}

/* Appends `count` bits of `bits`, LSB first, to a pattern being built in the window's layout. */
static void pattern_append(struct sim_swj_pattern *pattern, uint32_t bits, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        window_push(pattern->value, (bits >> i) & 1);
        window_push(pattern->mask, true);
    }
}

static void pattern_append_ones(struct sim_swj_pattern *pattern, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        pattern_append(pattern, 1, 1);
}

static bool pattern_matches(const struct sim_swj_pattern *pattern, const uint64_t window[SIM_SWJ_WINDOW_WORDS])
{
    for (unsigned i = 0; i < SIM_SWJ_WINDOW_WORDS; i++)
        if ((window[i] & pattern->mask[i]) != pattern->value[i])
            return false;
    return true;
}

static void set_mode(struct sim_swj *swj, enum sim_swj_mode mode)
{
    swj->mode = mode;
    swj->select_bits = 0;
    swj->select = 0;
    memset(swj->window, 0, sizeof(swj->window));
}

void sim_swj_init(struct sim_swj *swj, enum sim_swj_mode mode, bool dormant_capable)
{
    memset(swj, 0, sizeof(*swj));
    swj->dormant_capable = dormant_capable;
    set_mode(swj, mode);

    pattern_append_ones(&swj->dormant_to_swd, WAKE_MIN_HIGH);
    for (unsigned i = 0; i < sizeof(selection_alert); i++)
        pattern_append(&swj->dormant_to_swd, selection_alert[i], 8);
    pattern_append(&swj->dormant_to_swd, 0, WAKE_LOW_CYCLES);
    pattern_append(&swj->dormant_to_swd, SWDP_ACTIVATION_CODE, SWDP_ACTIVATION_BITS);

    pattern_append_ones(&swj->jtag_to_dormant, JTAG_TO_DORMANT_MIN_HIGH);
    pattern_append(&swj->jtag_to_dormant, JTAG_TO_DORMANT, JTAG_TO_DORMANT_BITS);
}

/* A complete 16-bit select sequence; returns true when it changed the mode. */
static bool apply_select(struct sim_swj *swj, uint16_t sequence)
{
    if (swj->mode == SIM_SWJ_JTAG && sequence == SIM_SWJ_JTAG_TO_SWD) {
        set_mode(swj, SIM_SWJ_SWD);
        return true;
    }
    if (swj->mode == SIM_SWJ_SWD && sequence == SIM_SWJ_SWD_TO_JTAG) {
        set_mode(swj, SIM_SWJ_JTAG);
        return true;
    }
    if (swj->mode == SIM_SWJ_SWD && sequence == SIM_SWJ_SWD_TO_DORMANT && swj->dormant_capable) {
        set_mode(swj, SIM_SWJ_DORMANT);
        return true;
    }
    return false;
}

bool sim_swj_sample(struct sim_swj *swj, bool bit)
{
    window_push(swj->window, bit);
    if (swj->select_bits > 0 || (!bit && swj->high_run >= SIM_SWJ_SELECT_MIN_HIGH)) {
        swj->select |= (uint16_t)((unsigned)bit << swj->select_bits);
        swj->select_bits++;
    }
    if (bit) {
        if (swj->high_run < UINT_MAX)
            swj->high_run++;
    } else {
        swj->high_run = 0;
    }

    if (swj->select_bits == SELECT_BITS) {
        uint16_t sequence = swj->select;
        swj->select_bits = 0;
        swj->select = 0;
        if (apply_select(swj, sequence))
            return true;
    }
    if (!swj->dormant_capable)
        return false;
    if (swj->mode == SIM_SWJ_DORMANT && pattern_matches(&swj->dormant_to_swd, swj->window)) {
        set_mode(swj, SIM_SWJ_SWD);
        return true;
    }
    if (swj->mode == SIM_SWJ_JTAG && pattern_matches(&swj->jtag_to_dormant, swj->window)) {
        set_mode(swj, SIM_SWJ_DORMANT);
        return true;
    }
    return false;
}

void sim_swj_interrupt(struct sim_swj *swj)
{
    swj->high_run = 0;
    swj->select_bits = 0;
    swj->select = 0;
}

unsigned sim_swj_high_run(const struct sim_swj *swj)
{
    return swj->high_run;
}

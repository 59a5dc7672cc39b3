/*
 * cmd_probe.c - `airswd probe`: what is at the end of the wire. Connects, identifies the debug port and its first
 * AHB MEM-AP, and reads memory (by default DBGMCU_IDCODE, where most STM32 families keep their device ID). It
 * only reads, so it is safe on a target that is running its firmware.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

/* DBGMCU_IDCODE of STM32 F1/F2/F3/F4/F7/L1/L4/G4/WB/WL (the M0+ families keep it at 0x40015800). */
#define PROBE_DEFAULT_ADDRESS 0xE0042000u
#define PROBE_MAX_WORDS 64

static const char *probe_designer_name(unsigned designer)
{
    return designer == ADI_DESIGNER_ARM ? "ARM" : "other";
}

static void print_text(const struct cli_target *target, const struct adi_dp *dp, const struct adi_mem_ap *ap,
                       uint32_t address, const uint32_t *values, uint32_t words)
{
    printf("target      %s\n", target->description);
    struct adi_dpidr_fields id = adi_dpidr_decode(dp->dpidr);
    printf("DPIDR       0x%08lX  designer %s, DPv%u%s, part 0x%02X, revision %u\n", (unsigned long)dp->dpidr,
           probe_designer_name(id.designer), id.version, id.min_dp ? " (MINDP)" : "", id.partno, id.revision);
    printf("AP%u IDR     0x%08lX  %s MEM-AP, designer %s, revision %lu; 8/16-bit accesses: %s; ROM table 0x%08lX\n",
           ap->apsel, (unsigned long)ap->idr, adi_ap_type_name(ap->idr),
           probe_designer_name((ap->idr >> ADI_IDR_DESIGNER_SHIFT) & ADI_IDR_DESIGNER_MASK),
           (unsigned long)(ap->idr >> ADI_IDR_REVISION_SHIFT), ap->sub_word ? "yes" : "no",
           (unsigned long)(ap->base & ADI_BASE_ADDRESS_MASK));
    for (uint32_t i = 0; i < words; i++) {
        printf("0x%08lX  0x%08lX", (unsigned long)(address + 4 * i), (unsigned long)values[i]);
        if (address + 4 * i == PROBE_DEFAULT_ADDRESS)
            printf("  DBGMCU_IDCODE: DEV_ID 0x%03lX, REV_ID 0x%04lX", (unsigned long)(values[i] & 0xFFFu),
                   (unsigned long)(values[i] >> 16));
        printf("\n");
    }
    const struct swd_stats *stats = &target->swd.stats;
    printf("wire        %lu packets, %lu WAIT, %lu FAULT, %lu parity errors, %lu protocol errors\n",
           (unsigned long)stats->packets, (unsigned long)stats->waits, (unsigned long)stats->faults,
           (unsigned long)stats->parity_errors, (unsigned long)stats->protocol_errors);
}

static void print_json(const struct cli_target *target, const struct adi_dp *dp, const struct adi_mem_ap *ap,
                       uint32_t address, const uint32_t *values, uint32_t words)
{
    printf("{\"ok\":true,\"target\":");
    cli_json_string(target->description);
    printf(",\"dpidr\":%lu,\"ap\":%u,\"ap_idr\":%lu,\"rom_table\":%lu,\"address\":%lu,\"words\":[",
           (unsigned long)dp->dpidr, ap->apsel, (unsigned long)ap->idr,
           (unsigned long)(ap->base & ADI_BASE_ADDRESS_MASK), (unsigned long)address);
    for (uint32_t i = 0; i < words; i++)
        printf("%s%lu", i ? "," : "", (unsigned long)values[i]);
    const struct swd_stats *stats = &target->swd.stats;
    printf("],\"wire\":{\"packets\":%lu,\"waits\":%lu,\"faults\":%lu,\"parity_errors\":%lu,"
           "\"protocol_errors\":%lu}}\n",
           (unsigned long)stats->packets, (unsigned long)stats->waits, (unsigned long)stats->faults,
           (unsigned long)stats->parity_errors, (unsigned long)stats->protocol_errors);
}

int cmd_probe(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
              char **argv)
{
    (void)command;
    uint32_t address = PROBE_DEFAULT_ADDRESS, words = 1;
    if ((argc > 0 && !cli_parse_u32(argv[0], &address)) || (argc > 1 && !cli_parse_u32(argv[1], &words)) ||
        argc > 2 || words == 0 || words > PROBE_MAX_WORDS || address % 4 != 0) {
        fprintf(stderr, "usage: airswd probe [ADDRESS [WORDS]]  (ADDRESS word-aligned, WORDS 1..%d)\n",
                PROBE_MAX_WORDS);
        return 2;
    }

    struct adi_dp dp;
    if (adi_dp_attach(&dp, &target->swd) != STATUS_OK) {
        cli_print_failure(target, "connect");
        return 1;
    }
    struct adi_mem_ap ap;
    if (adi_mem_ap_find(&ap, &dp) != STATUS_OK) {
        cli_print_failure(target, "access port");
        return 1;
    }
    uint8_t bytes[PROBE_MAX_WORDS * 4];
    if (adi_mem_read(&ap, address, bytes, words * 4, 4) != STATUS_OK) {
        cli_print_failure(target, "memory read");
        return 1;
    }
    uint32_t values[PROBE_MAX_WORDS];
    for (uint32_t i = 0; i < words; i++) {
        const uint8_t *w = bytes + 4 * i;
        values[i] = (uint32_t)w[0] | (uint32_t)w[1] << 8 | (uint32_t)w[2] << 16 | (uint32_t)w[3] << 24;
    }
    if (options->json)
        print_json(target, &dp, &ap, address, values, words);
    else
        print_text(target, &dp, &ap, address, values, words);
    return 0;
}

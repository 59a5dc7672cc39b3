/*
 * test_parts_table.c - docs/flash.md's parts table is the core's part table (src/stm32/stm32_part.c) as it is: the
 * text between the table's markers must be what this program renders from the rows. AIRSWD_WRITE_PARTS_TABLE=1
 * rewrites it instead (after a change to the table).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stm32/stm32_part.h"

#define KB 1024u
#define DOC_MAX (256u * 1024u)
#define TABLE_MAX (16u * 1024u)

static const char begin_marker[] = "<!-- parts table: made from src/stm32/stm32_part.c by tests/sim/test_parts_table.c -->\n";
static const char end_marker[] = "<!-- end of parts table -->\n";

struct text {
    char bytes[TABLE_MAX];
    size_t len;
};

static void append(struct text *text, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vsnprintf(text->bytes + text->len, sizeof text->bytes - text->len, format, args);
    va_end(args);
    assert_true(n >= 0 && (size_t)n < sizeof text->bytes - text->len);
    text->len += (size_t)n;
}

/* Erase units and the flash sizes whose layout the row can describe (stm32_part_describe()). */
static void append_size(struct text *text, uint32_t bytes)
{
    if (bytes % KB == 0)
        append(text, "%u KB", bytes / KB);
    else
        append(text, "%u B", bytes);
}

static void append_layout(struct text *text, const struct stm32_part *part)
{
    if (part->line->layout == STM32_LAYOUT_F4_SECTORS) {
        unsigned scale = part->line->sector_scale, large = 128 * scale, largest_tenths_mb = 15 * scale;
        append(text, "%u/%u/%u KB sectors | %u KB, or %u KB to %u", 16 * scale, 64 * scale, large, 64 * scale, large,
               largest_tenths_mb / 10);
        if (largest_tenths_mb % 10)
            append(text, ".%u", largest_tenths_mb % 10);
        append(text, " MB in %u KB steps", large);
        return;
    }
    /* Bank 2 at a fixed address (G47x at 256 KB, H7 at the line's bank2_base): two whole banks only. */
    uint32_t bank2 = part->line->bank2_base;
    if (part->fixed_banks || (part->dual_bank && bank2 != 0)) {
        uint32_t only = part->fixed_banks ? STM32_FIXED_BANKS_FLASH_SIZE : 2 * (bank2 - STM32_FLASH_BASE);
        append(text, "%u KB pages, 2 banks | %u KB only", part->page_size / KB, only / KB);
        return;
    }
    uint32_t step = part->dual_bank ? 2 * part->page_size : part->page_size;
    append_size(text, part->page_size);
    append(text, " pages%s", part->dual_bank ? ", 2 banks" : "");
    if (part->line->bank2_base != 0)
        append(text, ", bank 2 from %u KB", (part->line->bank2_base - STM32_FLASH_BASE) / KB);
    append(text, " | any multiple of ");
    append_size(text, step);
}

static void render(struct text *text)
{
    text->len = 0;
    append(text, "| DEV_ID | line | controller | erase units | flash sizes | program unit | SRAM | notes |\n");
    append(text, "|---|---|---|---|---|---|---|---|\n");
    const struct stm32_part *part;
    for (unsigned i = 0; (part = stm32_part_at(i)) != NULL; i++) {
        append(text, "| 0x%03X | %s | %s | ", part->dev_id, part->name, stm32_part_family(part)->name);
        append_layout(text, part);
        append(text, " | %u B", stm32_part_family(part)->program_unit);
        if (part->line->loader_program_size)
            append(text, " (loader: %u B half pages)", part->line->loader_program_size);
        append(text, " | %u KB", part->sram_min / KB);
        if (part->sram_max != part->sram_min)
            append(text, "-%u KB", part->sram_max / KB);
        append(text, " | %s%s%s%s%s", part->line->option_launch ? "OBL_LAUNCH" : "options load at reset",
               part->line->dbgmcu_clock_register ? ", DBGMCU clock gated" : "",
               part->boot_checks_empty_flash ? ", empty-flash boot check" : "",
               stm32_part_family(part)->erased_value != 0xFF ? ", erased flash reads 0x00" : "",
               part->line->mass_erase_us == 0 ? ", no mass erase" : "");
        if (part->eeprom_size != 0)
            append(text, ", %u KB data EEPROM", part->eeprom_size / KB);
        append(text, " |\n");
    }
}

static size_t read_doc(const char *path, char *doc)
{
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    size_t len = fread(doc, 1, DOC_MAX - 1, file);
    fclose(file);
    doc[len] = '\0';
    return len;
}

static void test_docs_list_every_part_of_the_core_table(void **state)
{
    (void)state;
    static char doc[DOC_MAX];
    static struct text table;
    const char *source = getenv("AIRSWD_SOURCE_DIR");
    char path[512];
    snprintf(path, sizeof path, "%s/docs/flash.md", source ? source : "../..");
    size_t len = read_doc(path, doc);
    char *begin = strstr(doc, begin_marker), *end = begin ? strstr(begin, end_marker) : NULL;
    assert_non_null(begin);
    assert_non_null(end);
    begin += strlen(begin_marker);
    render(&table);
    if (getenv("AIRSWD_WRITE_PARTS_TABLE") != NULL) {
        FILE *out = fopen(path, "wb");
        assert_non_null(out);
        fwrite(doc, 1, (size_t)(begin - doc), out);
        fwrite(table.bytes, 1, table.len, out);
        fwrite(end, 1, len - (size_t)(end - doc), out);
        fclose(out);
        print_message("wrote the parts table into %s\n", path);
        return;
    }
    size_t doc_table_len = (size_t)(end - begin);
    if (doc_table_len != table.len || memcmp(begin, table.bytes, table.len) != 0) {
        print_message("docs/flash.md's parts table differs from the core's part table; it should read:\n%.*s"
                      "(AIRSWD_WRITE_PARTS_TABLE=1 build/tests/sim/test_parts_table rewrites it)\n",
                      (int)table.len, table.bytes);
        fail();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_docs_list_every_part_of_the_core_table)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

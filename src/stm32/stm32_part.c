/*
 * stm32_part.c - the table of supported STM32 parts: one row per DEV_ID with what differs between the members of a
 * line, and a pointer to the line (stm32_flash_f1.c, _f4.c, _l4.c, _l0.c define the lines and their families).
 *
 * Sources: reference manuals RM0360/RM0091 (F0), RM0008 (F1), RM0316 (F3), RM0090/RM0368/RM0383/RM0390/RM0402/RM0430
 * (F2/F4), RM0385/RM0410/RM0431 (F7), RM0351/RM0394 (L4), RM0444/RM0454 (G0), RM0440 (G4), RM0433 (H7), RM0367/RM0376/
 * RM0377 (L0), RM0038 (L1) for device IDs, page sizes and SRAM (H7: the DTCM at 0x20000000, where loaders run;
 * the AXI SRAM at 0x24000000 is not described).
 * Not supported yet: F42x/F43x above 1 MB, dual-bank G0B/G0C, G47x below 512 KB (bank 2 stays at 0x08040000,
 * leaving a hole), G47x with DBANK=0 (one bank of 4 KB pages), H74x with 1 MB (bank 2 stays at 0x08100000), and the
 * L1 Cat.4 (0x436), whose flash size register holds 0 or 1 for 384 or 256 KB rather than a size; the F76x/F77x are
 * erased in single-bank mode only (nDBANK set).
 * Data EEPROM (RM0367/RM0376 §3.3.1, RM0038 §3.3.1): L05x/L06x (Cat.3) 2 KB, L07x/L08x (Cat.5) 6 KB [the 64 KB
 * L071x8 is listed with less in some datasheets: a write past its end fails the job], L1 Cat.1/2 4 KB, Cat.3 8 KB,
 * Cat.5/6 16 KB.
 */
#include "stm32/stm32_part.h"

#include <stddef.h>


#define KB 1024u

/* Rows: DEV_ID, name, line, then what differs between the members of the line. */
static const struct stm32_part parts[] = {
    {.dev_id = 0x444, .name = "STM32F03x", .line = &stm32_line_f0, .page_size = 1 * KB, .sram_min = 4 * KB, .sram_max = 4 * KB},
    {.dev_id = 0x445, .name = "STM32F04x/F070x6", .line = &stm32_line_f0, .page_size = 1 * KB, .sram_min = 6 * KB, .sram_max = 6 * KB, .boot_checks_empty_flash = true},
    {.dev_id = 0x440, .name = "STM32F030x8/F05x", .line = &stm32_line_f0, .page_size = 1 * KB, .sram_min = 8 * KB, .sram_max = 8 * KB},
    {.dev_id = 0x448, .name = "STM32F07x", .line = &stm32_line_f0, .page_size = 2 * KB, .sram_min = 16 * KB, .sram_max = 16 * KB, .boot_checks_empty_flash = true},
    {.dev_id = 0x442, .name = "STM32F09x/F030xC", .line = &stm32_line_f0, .page_size = 2 * KB, .sram_min = 32 * KB, .sram_max = 32 * KB, .boot_checks_empty_flash = true},
    {.dev_id = 0x412, .name = "STM32F10x low density", .line = &stm32_line_f1, .page_size = 1 * KB, .sram_min = 6 * KB, .sram_max = 10 * KB},
    {.dev_id = 0x410, .name = "STM32F10x medium density", .line = &stm32_line_f1, .page_size = 1 * KB, .sram_min = 10 * KB, .sram_max = 20 * KB},
    {.dev_id = 0x414, .name = "STM32F10x high density", .line = &stm32_line_f1, .page_size = 2 * KB, .sram_min = 32 * KB, .sram_max = 64 * KB},
    {.dev_id = 0x430, .name = "STM32F10x XL density", .line = &stm32_line_f1_xl, .page_size = 2 * KB, .sram_min = 80 * KB, .sram_max = 96 * KB},
    {.dev_id = 0x418, .name = "STM32F105/F107 connectivity line", .line = &stm32_line_f1, .page_size = 2 * KB, .sram_min = 64 * KB, .sram_max = 64 * KB},
    {.dev_id = 0x420, .name = "STM32F100 value line", .line = &stm32_line_f1, .page_size = 1 * KB, .sram_min = 4 * KB, .sram_max = 8 * KB},
    {.dev_id = 0x428, .name = "STM32F100 value line high density", .line = &stm32_line_f1, .page_size = 2 * KB, .sram_min = 24 * KB, .sram_max = 32 * KB},
    {.dev_id = 0x422, .name = "STM32F302xB/C/F303xB/C/F358", .line = &stm32_line_f3, .page_size = 2 * KB, .sram_min = 32 * KB, .sram_max = 40 * KB},
    {.dev_id = 0x446, .name = "STM32F302xD/E/F303xD/E/F398", .line = &stm32_line_f3, .page_size = 2 * KB, .sram_min = 64 * KB, .sram_max = 64 * KB},
    {.dev_id = 0x411, .name = "STM32F2xx", .line = &stm32_line_f4, .sram_min = 64 * KB, .sram_max = 128 * KB},
    {.dev_id = 0x413, .name = "STM32F405/F407/F415/F417", .line = &stm32_line_f4, .sram_min = 128 * KB, .sram_max = 128 * KB},
    {.dev_id = 0x423, .name = "STM32F401xB/C", .line = &stm32_line_f4, .sram_min = 64 * KB, .sram_max = 64 * KB},
    {.dev_id = 0x433, .name = "STM32F401xD/E", .line = &stm32_line_f4, .sram_min = 96 * KB, .sram_max = 96 * KB},
    {.dev_id = 0x431, .name = "STM32F411", .line = &stm32_line_f4, .sram_min = 128 * KB, .sram_max = 128 * KB},
    {.dev_id = 0x458, .name = "STM32F410", .line = &stm32_line_f4, .sram_min = 32 * KB, .sram_max = 32 * KB},
    {.dev_id = 0x441, .name = "STM32F412", .line = &stm32_line_f4, .sram_min = 256 * KB, .sram_max = 256 * KB},
    {.dev_id = 0x421, .name = "STM32F446", .line = &stm32_line_f4, .sram_min = 128 * KB, .sram_max = 128 * KB},
    {.dev_id = 0x463, .name = "STM32F413/F423", .line = &stm32_line_f413, .sram_min = 320 * KB, .sram_max = 320 * KB},
    {.dev_id = 0x449, .name = "STM32F74x/F75x", .line = &stm32_line_f7, .sram_min = 320 * KB, .sram_max = 320 * KB},
    {.dev_id = 0x452, .name = "STM32F72x/F73x", .line = &stm32_line_f72x, .sram_min = 256 * KB, .sram_max = 256 * KB},
    {.dev_id = 0x451, .name = "STM32F76x/F77x", .line = &stm32_line_f76x, .sram_min = 512 * KB, .sram_max = 512 * KB},
    {.dev_id = 0x415, .name = "STM32L47x/L48x", .line = &stm32_line_l4, .page_size = 2 * KB, .dual_bank = true, .sram_min = 96 * KB, .sram_max = 128 * KB},
    {.dev_id = 0x461, .name = "STM32L49x/L4Ax", .line = &stm32_line_l4, .page_size = 2 * KB, .dual_bank = true, .sram_min = 320 * KB, .sram_max = 320 * KB},
    {.dev_id = 0x435, .name = "STM32L43x/L44x", .line = &stm32_line_l4, .page_size = 2 * KB, .sram_min = 64 * KB, .sram_max = 64 * KB},
    {.dev_id = 0x462, .name = "STM32L45x/L46x", .line = &stm32_line_l4, .page_size = 2 * KB, .sram_min = 160 * KB, .sram_max = 160 * KB},
    {.dev_id = 0x464, .name = "STM32L41x/L42x", .line = &stm32_line_l4, .page_size = 2 * KB, .sram_min = 40 * KB, .sram_max = 40 * KB},
    {.dev_id = 0x466, .name = "STM32G03x/G04x", .line = &stm32_line_g0, .page_size = 2 * KB, .sram_min = 8 * KB, .sram_max = 8 * KB, .boot_checks_empty_flash = true},
    {.dev_id = 0x456, .name = "STM32G05x/G06x", .line = &stm32_line_g0, .page_size = 2 * KB, .sram_min = 18 * KB, .sram_max = 18 * KB, .boot_checks_empty_flash = true},
    {.dev_id = 0x460, .name = "STM32G07x/G08x", .line = &stm32_line_g0, .page_size = 2 * KB, .sram_min = 36 * KB, .sram_max = 36 * KB, .boot_checks_empty_flash = true},
    {.dev_id = 0x468, .name = "STM32G431/G441", .line = &stm32_line_g4, .page_size = 2 * KB, .sram_min = 32 * KB, .sram_max = 32 * KB},
    {.dev_id = 0x469, .name = "STM32G47x/G48x", .line = &stm32_line_g4, .page_size = 2 * KB, .dual_bank = true, .fixed_banks = true, .sram_min = 128 * KB, .sram_max = 128 * KB},
    {.dev_id = 0x450, .name = "STM32H74x/H75x", .line = &stm32_line_h7, .page_size = 128 * KB, .dual_bank = true, .sram_min = 128 * KB, .sram_max = 128 * KB},
    {.dev_id = 0x417, .name = "STM32L05x/L06x", .line = &stm32_line_l0, .page_size = 128, .sram_min = 8 * KB, .sram_max = 8 * KB, .eeprom_size = 2 * KB},
    {.dev_id = 0x447, .name = "STM32L07x/L08x", .line = &stm32_line_l0, .page_size = 128, .dual_bank = true, .sram_min = 20 * KB, .sram_max = 20 * KB, .eeprom_size = 6 * KB},
    {.dev_id = 0x416, .name = "STM32L1xx Cat.1", .line = &stm32_line_l1_cat12, .page_size = 256, .sram_min = 4 * KB, .sram_max = 16 * KB, .eeprom_size = 4 * KB},
    {.dev_id = 0x429, .name = "STM32L1xx Cat.2", .line = &stm32_line_l1_cat12, .page_size = 256, .sram_min = 4 * KB, .sram_max = 32 * KB, .eeprom_size = 4 * KB},
    {.dev_id = 0x427, .name = "STM32L1xx Cat.3", .line = &stm32_line_l1, .page_size = 256, .sram_min = 16 * KB, .sram_max = 32 * KB, .eeprom_size = 8 * KB},
    {.dev_id = 0x437, .name = "STM32L1xx Cat.5/6", .line = &stm32_line_l1, .page_size = 256, .dual_bank = true, .sram_min = 80 * KB, .sram_max = 80 * KB, .eeprom_size = 16 * KB},
};

const struct stm32_part *stm32_part_at(unsigned index)
{
    return index < sizeof parts / sizeof parts[0] ? &parts[index] : NULL;
}

const struct stm32_part *stm32_part_find(uint16_t dev_id)
{
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (parts[i].dev_id == dev_id)
            return &parts[i];
    }
    return NULL;
}

/* F2/F4 sectors: 4 x 16 KB, 1 x 64 KB, then 128 KB, as many as the flash holds, numbered on from 0 in one bank;
 * the F74x-F77x have the same rule with every size doubled (sector_scale 2: 32, 128 and 256 KB, RM0385 §3.3.1).
 * The sizes that exist: small sectors only (F410x8, F730x8: four of 16 KB; F750x8: two of 32 KB, RM0385), and steps
 * of the largest sector up to 1 MB on every line, 2 MB on the F76x/F77x and 1.5 MB on the F413xH (sectors 0-15,
 * RM0430). F42x/F43x above 1 MB restart
 * the sequence in a second bank with other sector numbers: not supported. */
#define F4_SECTORS_LARGEST (1536u * KB)
static bool describe_f4_sectors(uint32_t flash_size, uint32_t scale, struct image_target *target)
{
    uint32_t small = 16 * KB * scale, large = 128 * KB * scale;
    target->erase_runs[0] = (struct image_erase_run){.unit_size = small, .count = 4};
    if (flash_size != 0 && flash_size <= 4 * small && flash_size % small == 0) {
        target->erase_runs[0].count = flash_size / small;
        return true;
    }
    if (flash_size < large || flash_size > F4_SECTORS_LARGEST * scale || flash_size % large != 0)
        return false;
    target->erase_runs[1] = (struct image_erase_run){.unit_size = 4 * small, .count = 1};
    if (flash_size > large)
        target->erase_runs[2] = (struct image_erase_run){.unit_size = large, .count = flash_size / large - 1};
    return true;
}

bool stm32_part_describe(const struct stm32_part *part, uint32_t flash_size, struct image_target *target)
{
    *target = (struct image_target){0};
    target->flash = (struct image_range){.base = STM32_FLASH_BASE, .size = flash_size};
    target->program_unit = stm32_part_family(part)->program_unit;
    target->erased_value = stm32_part_family(part)->erased_value;
    target->ram[0] = (struct image_range){.base = STM32_SRAM_BASE, .size = part->sram_max};
    target->option_bytes[0] =
        (struct image_range){.base = part->line->option_bytes, .size = part->line->option_bytes_size};
    target->eeprom = (struct image_range){.base = STM32_EEPROM_BASE, .size = part->eeprom_size};
    if (part->line->layout == STM32_LAYOUT_F4_SECTORS)
        return describe_f4_sectors(flash_size, part->line->sector_scale, target);
    if (flash_size == 0 || flash_size % part->page_size != 0 || (part->dual_bank && flash_size % (2 * part->page_size)))
        return false;
    if (part->fixed_banks && flash_size != STM32_FIXED_BANKS_FLASH_SIZE)
        return false;
    /* Two banks whose second starts at the line's bank2_base whatever the size (H7): only two whole banks. */
    uint32_t bank2 = part->line->bank2_base;
    if (part->dual_bank && bank2 != 0 && flash_size != 2 * (bank2 - STM32_FLASH_BASE))
        return false;
    target->erase_runs[0] = (struct image_erase_run){.unit_size = part->page_size, .count = flash_size / part->page_size};
    return true;
}

uint32_t stm32_part_max_flash_kb(const struct stm32_part *part)
{
    return part->eeprom_size != 0 ? (STM32_EEPROM_BASE - STM32_FLASH_BASE) / KB : 2048u;
}

uint32_t stm32_part_erase_us(const struct stm32_part *part, uint32_t unit_size)
{
    if (part->line->layout != STM32_LAYOUT_F4_SECTORS)
        return part->line->page_erase_us;
    /* RM0090 / DS: 16 KB 250 ms, 64 KB 550 ms, 128 KB 1 s (typical, x32); on the F7 the sizes doubled. */
    unit_size /= part->line->sector_scale;
    if (unit_size >= 128 * KB)
        return part->line->page_erase_us * 4;
    if (unit_size >= 64 * KB)
        return part->line->page_erase_us * 11 / 5;
    return part->line->page_erase_us;
}

uint32_t stm32_part_loader_unit_ns(const struct stm32_part *part)
{
    const struct stm32_line *line = part->line;
    uint32_t unit = line->family->program_unit;
    return line->loader_program_size > unit ? line->program_ns / (line->loader_program_size / unit) : line->program_ns;
}

uint32_t stm32_part_mass_erase_us(const struct stm32_part *part, uint32_t flash_size)
{
    if (part->line->layout != STM32_LAYOUT_F4_SECTORS)
        return part->line->mass_erase_us;
    return (uint32_t)((uint64_t)part->line->mass_erase_us * flash_size / (1024u * KB));
}

/*
 * stm32_part.c - the table of supported STM32 lines.
 *
 * Sources: reference manuals RM0360/RM0091 (F0), RM0008 (F1), RM0316 (F3), RM0090/RM0368/RM0383/RM0390/RM0402/RM0430
 * (F2/F4), RM0351/RM0394 (L4), RM0444/RM0454 (G0), RM0440 (G4) for addresses and layouts; the datasheets for typical
 * tPROG and erase times (F0/F1/F3 give 20-40 ms for an erase: the midpoint is used; F4 mass erase is RM0090's 8 s per
 * MB, scaled; G4 as L4: DS12589 81.7 us a double word, 22 ms a page).
 * Not supported yet: F1 XL density (a second controller for bank 2), F42x/F43x above 1 MB, dual-bank G0B/G0C, G47x
 * below 512 KB (bank 2 stays at 0x08040000, leaving a hole) and G47x with DBANK=0 (one bank of 4 KB pages).
 */
#include "stm32/stm32_part.h"

#include <stddef.h>

#include "stm32/stm32_options.h"

#define KB 1024u

/* L4 at 48 MHz from MSI range 11 (RM0351 §6.4.1), after two flash wait states for voltage range 1 (§3.3.3). */
#define L4_FLASH_TWO_WAIT_STATES {.address = 0x40022000, .mask = 0x7u, .value = 2u}
#define L4_MSI_48_MHZ {.address = 0x40021000, .mask = 0xF8u, .value = (11u << 4) | (1u << 3)}

/* Column groups that repeat across a line's rows. */
#define F0_LINE                                                                                                        \
    .generation = STM32_GENERATION_F0_F1_F3, .layout = STM32_LAYOUT_PAGES, .dbgmcu_idcode = STM32_DBGMCU_IDCODE_APB,   \
    .flash_size_register = 0x1FFFF7CC, .flash_controller = 0x40022000, .option_bytes = 0x1FFFF800,                     \
    .option_bytes_size = 16, .rdp_level0 = 0xAA, .option_launch = true, .user_fields = stm32_user_fields_f0,           \
    .program_ns = 53500, .page_erase_us = 30000, .mass_erase_us = 30000,                                               \
    .watchdog_freeze_register = 0x40015808, .watchdog_freeze_bits = (1u << 11) | (1u << 12),                          \
    .dbgmcu_clock_register = 0x40021018, .dbgmcu_clock_bit = 1u << 22
#define F1_LINE                                                                                                        \
    .generation = STM32_GENERATION_F0_F1_F3, .layout = STM32_LAYOUT_PAGES, .dbgmcu_idcode = STM32_DBGMCU_IDCODE_PPB,   \
    .flash_size_register = 0x1FFFF7E0, .flash_controller = 0x40022000, .option_bytes = 0x1FFFF800,                     \
    .option_bytes_size = 16, .rdp_level0 = 0xA5, .option_launch = false, .user_fields = stm32_user_fields_f1,          \
    .program_ns = 52500, .page_erase_us = 30000, .mass_erase_us = 30000,                                               \
    .watchdog_freeze_register = 0xE0042004, .watchdog_freeze_bits = (1u << 8) | (1u << 9)
/* F3: F0's controller and option bytes (RM0316 §4: FLASH_OBR with USER at 15:8, RDP 0xAA/0xCC, OBL_LAUNCH; USER
 * bits as F0's, SRAM_PE at bit 6), 2 KB pages, DBGMCU on the PPB, which is always clocked (§33.16). DS9118: tPROG
 * 53.5 us typical. */
#define F3_LINE                                                                                                        \
    .generation = STM32_GENERATION_F0_F1_F3, .layout = STM32_LAYOUT_PAGES, .page_size = 2 * KB,                        \
    .dbgmcu_idcode = STM32_DBGMCU_IDCODE_PPB, .flash_size_register = 0x1FFFF7CC, .flash_controller = 0x40022000,       \
    .option_bytes = 0x1FFFF800, .option_bytes_size = 16, .rdp_level0 = 0xAA, .option_launch = true,                    \
    .user_fields = stm32_user_fields_f0, .program_ns = 53500, .page_erase_us = 30000, .mass_erase_us = 30000,          \
    .watchdog_freeze_register = 0xE0042008, .watchdog_freeze_bits = (1u << 11) | (1u << 12)
#define F4_LINE                                                                                                        \
    .generation = STM32_GENERATION_F2_F4_F7, .layout = STM32_LAYOUT_F4_SECTORS,                                        \
    .dbgmcu_idcode = STM32_DBGMCU_IDCODE_PPB, .flash_size_register = 0x1FFF7A22, .flash_controller = 0x40023C00,       \
    .option_bytes = 0x1FFFC000, .option_bytes_size = 16, .rdp_level0 = 0xAA, .option_launch = false,                   \
    .user_fields = stm32_user_fields_f4, .program_ns = 16000, .page_erase_us = 250000,                                 \
    .mass_erase_us = 8000000, .watchdog_freeze_register = 0xE0042008,                                                  \
    .watchdog_freeze_bits = (1u << 11) | (1u << 12)
#define L4_LINE                                                                                                        \
    .generation = STM32_GENERATION_L4_G0_G4, .layout = STM32_LAYOUT_PAGES, .page_size = 2 * KB,                        \
    .dbgmcu_idcode = STM32_DBGMCU_IDCODE_PPB, .flash_size_register = 0x1FFF75E0, .flash_controller = 0x40022000,       \
    .option_bytes = 0x1FFF7800, .option_bytes_size = 0x28, .rdp_level0 = 0xAA, .option_launch = true,                  \
    .user_fields = stm32_user_fields_l4, .program_ns = 81690, .page_erase_us = 22020,                                  \
    .mass_erase_us = 22020, .watchdog_freeze_register = 0xE0042008, .watchdog_freeze_bits = (1u << 11) | (1u << 12),   \
    .clock_boost = {L4_FLASH_TWO_WAIT_STATES, L4_MSI_48_MHZ}, .clock_boost_hz = 48000000
#define G0_LINE                                                                                                        \
    .generation = STM32_GENERATION_L4_G0_G4, .layout = STM32_LAYOUT_PAGES, .page_size = 2 * KB,                        \
    .dbgmcu_idcode = STM32_DBGMCU_IDCODE_APB, .flash_size_register = 0x1FFF75E0, .flash_controller = 0x40022000,       \
    .option_bytes = 0x1FFF7800, .option_bytes_size = 0x80, .rdp_level0 = 0xAA, .option_launch = true,                  \
    .user_fields = stm32_user_fields_g0, .program_ns = 85000, .page_erase_us = 22000,                                  \
    .mass_erase_us = 22000, .watchdog_freeze_register = 0x40015808, .watchdog_freeze_bits = (1u << 11) | (1u << 12),  \
    .dbgmcu_clock_register = 0x4002103C, .dbgmcu_clock_bit = 1u << 27, .boot_checks_empty_flash = true
/* G4: L4's controller (RM0440 §3.7), OPTR with G4's USER bits, DBGMCU_APB1FZR1 as L4's; 16 MHz HSI16 after reset. */
#define G4_LINE                                                                                                        \
    .generation = STM32_GENERATION_L4_G0_G4, .layout = STM32_LAYOUT_PAGES, .page_size = 2 * KB,                        \
    .dbgmcu_idcode = STM32_DBGMCU_IDCODE_PPB, .flash_size_register = 0x1FFF75E0, .flash_controller = 0x40022000,       \
    .option_bytes = 0x1FFF7800, .option_bytes_size = 0x28, .rdp_level0 = 0xAA, .option_launch = true,                  \
    .user_fields = stm32_user_fields_g4, .program_ns = 81690, .page_erase_us = 22020, .mass_erase_us = 22020,          \
    .watchdog_freeze_register = 0xE0042008, .watchdog_freeze_bits = (1u << 11) | (1u << 12)

static const struct stm32_part parts[] = {
    {.dev_id = 0x444, .name = "STM32F03x", F0_LINE, .page_size = 1 * KB, .sram_min = 4 * KB, .sram_max = 4 * KB},
    {.dev_id = 0x445, .name = "STM32F04x/F070x6", F0_LINE, .page_size = 1 * KB, .sram_min = 6 * KB, .sram_max = 6 * KB, .boot_checks_empty_flash = true},
    {.dev_id = 0x440, .name = "STM32F030x8/F05x", F0_LINE, .page_size = 1 * KB, .sram_min = 8 * KB, .sram_max = 8 * KB},
    {.dev_id = 0x448, .name = "STM32F07x", F0_LINE, .page_size = 2 * KB, .sram_min = 16 * KB, .sram_max = 16 * KB, .boot_checks_empty_flash = true},
    {.dev_id = 0x442, .name = "STM32F09x/F030xC", F0_LINE, .page_size = 2 * KB, .sram_min = 32 * KB, .sram_max = 32 * KB, .boot_checks_empty_flash = true},
    {.dev_id = 0x412, .name = "STM32F10x low density", F1_LINE, .page_size = 1 * KB, .sram_min = 6 * KB, .sram_max = 10 * KB},
    {.dev_id = 0x410, .name = "STM32F10x medium density", F1_LINE, .page_size = 1 * KB, .sram_min = 10 * KB, .sram_max = 20 * KB},
    {.dev_id = 0x414, .name = "STM32F10x high density", F1_LINE, .page_size = 2 * KB, .sram_min = 32 * KB, .sram_max = 64 * KB},
    {.dev_id = 0x418, .name = "STM32F105/F107 connectivity line", F1_LINE, .page_size = 2 * KB, .sram_min = 64 * KB, .sram_max = 64 * KB},
    {.dev_id = 0x420, .name = "STM32F100 value line", F1_LINE, .page_size = 1 * KB, .sram_min = 4 * KB, .sram_max = 8 * KB},
    {.dev_id = 0x428, .name = "STM32F100 value line high density", F1_LINE, .page_size = 2 * KB, .sram_min = 24 * KB, .sram_max = 32 * KB},
    {.dev_id = 0x422, .name = "STM32F302xB/C/F303xB/C/F358", F3_LINE, .sram_min = 32 * KB, .sram_max = 40 * KB},
    {.dev_id = 0x446, .name = "STM32F302xD/E/F303xD/E/F398", F3_LINE, .sram_min = 64 * KB, .sram_max = 64 * KB},
    {.dev_id = 0x411, .name = "STM32F2xx", F4_LINE, .sram_min = 64 * KB, .sram_max = 128 * KB},
    {.dev_id = 0x413, .name = "STM32F405/F407/F415/F417", F4_LINE, .sram_min = 128 * KB, .sram_max = 128 * KB},
    {.dev_id = 0x423, .name = "STM32F401xB/C", F4_LINE, .sram_min = 64 * KB, .sram_max = 64 * KB},
    {.dev_id = 0x433, .name = "STM32F401xD/E", F4_LINE, .sram_min = 96 * KB, .sram_max = 96 * KB},
    {.dev_id = 0x431, .name = "STM32F411", F4_LINE, .sram_min = 128 * KB, .sram_max = 128 * KB},
    {.dev_id = 0x458, .name = "STM32F410", F4_LINE, .sram_min = 32 * KB, .sram_max = 32 * KB},
    {.dev_id = 0x441, .name = "STM32F412", F4_LINE, .sram_min = 256 * KB, .sram_max = 256 * KB},
    {.dev_id = 0x421, .name = "STM32F446", F4_LINE, .sram_min = 128 * KB, .sram_max = 128 * KB},
    {.dev_id = 0x463, .name = "STM32F413/F423", F4_LINE, .sram_min = 320 * KB, .sram_max = 320 * KB},
    {.dev_id = 0x415, .name = "STM32L47x/L48x", L4_LINE, .dual_bank = true, .sram_min = 96 * KB, .sram_max = 128 * KB},
    {.dev_id = 0x461, .name = "STM32L49x/L4Ax", L4_LINE, .dual_bank = true, .sram_min = 320 * KB, .sram_max = 320 * KB},
    {.dev_id = 0x435, .name = "STM32L43x/L44x", L4_LINE, .sram_min = 64 * KB, .sram_max = 64 * KB},
    {.dev_id = 0x462, .name = "STM32L45x/L46x", L4_LINE, .sram_min = 160 * KB, .sram_max = 160 * KB},
    {.dev_id = 0x464, .name = "STM32L41x/L42x", L4_LINE, .sram_min = 40 * KB, .sram_max = 40 * KB},
    {.dev_id = 0x466, .name = "STM32G03x/G04x", G0_LINE, .sram_min = 8 * KB, .sram_max = 8 * KB},
    {.dev_id = 0x456, .name = "STM32G05x/G06x", G0_LINE, .sram_min = 18 * KB, .sram_max = 18 * KB},
    {.dev_id = 0x460, .name = "STM32G07x/G08x", G0_LINE, .sram_min = 36 * KB, .sram_max = 36 * KB},
    {.dev_id = 0x468, .name = "STM32G431/G441", G4_LINE, .sram_min = 32 * KB, .sram_max = 32 * KB},
    {.dev_id = 0x469, .name = "STM32G47x/G48x", G4_LINE, .dual_bank = true, .fixed_banks = true, .sram_min = 128 * KB, .sram_max = 128 * KB},
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

uint32_t stm32_generation_program_unit(enum stm32_generation generation)
{
    switch (generation) {
    case STM32_GENERATION_F0_F1_F3: return 2;
    case STM32_GENERATION_F2_F4_F7: return 4;
    case STM32_GENERATION_L4_G0_G4: return 8;
    }
    return 0;
}

const char *stm32_generation_name(enum stm32_generation generation)
{
    switch (generation) {
    case STM32_GENERATION_F0_F1_F3: return "F0/F1/F3";
    case STM32_GENERATION_F2_F4_F7: return "F2/F4/F7";
    case STM32_GENERATION_L4_G0_G4: return "L4/G0/G4";
    }
    return "?";
}

/* F2/F4 sectors of one bank of up to 1 MB: 4 x 16 KB, 1 x 64 KB, then 128 KB. */
static bool describe_f4_sectors(uint32_t flash_size, struct image_target *target)
{
    if (flash_size < 128 * KB || flash_size > 1024 * KB || flash_size % (128 * KB) != 0)
        return false;
    target->erase_runs[0] = (struct image_erase_run){.unit_size = 16 * KB, .count = 4};
    target->erase_runs[1] = (struct image_erase_run){.unit_size = 64 * KB, .count = 1};
    if (flash_size > 128 * KB)
        target->erase_runs[2] = (struct image_erase_run){.unit_size = 128 * KB, .count = flash_size / (128 * KB) - 1};
    return true;
}

bool stm32_part_describe(const struct stm32_part *part, uint32_t flash_size, struct image_target *target)
{
    *target = (struct image_target){0};
    target->flash = (struct image_range){.base = STM32_FLASH_BASE, .size = flash_size};
    target->program_unit = stm32_generation_program_unit(part->generation);
    target->ram[0] = (struct image_range){.base = STM32_SRAM_BASE, .size = part->sram_max};
    target->option_bytes[0] = (struct image_range){.base = part->option_bytes, .size = part->option_bytes_size};
    if (part->layout == STM32_LAYOUT_F4_SECTORS)
        return describe_f4_sectors(flash_size, target);
    if (flash_size == 0 || flash_size % part->page_size != 0 || (part->dual_bank && flash_size % (2 * part->page_size)))
        return false;
    if (part->fixed_banks && flash_size != STM32_FIXED_BANKS_FLASH_SIZE)
        return false;
    target->erase_runs[0] = (struct image_erase_run){.unit_size = part->page_size, .count = flash_size / part->page_size};
    return true;
}

uint32_t stm32_part_erase_us(const struct stm32_part *part, uint32_t unit_size)
{
    if (part->layout != STM32_LAYOUT_F4_SECTORS)
        return part->page_erase_us;
    /* RM0090 / DS: 16 KB 250 ms, 64 KB 550 ms, 128 KB 1 s (typical, x32). */
    if (unit_size >= 128 * KB)
        return part->page_erase_us * 4;
    if (unit_size >= 64 * KB)
        return part->page_erase_us * 11 / 5;
    return part->page_erase_us;
}

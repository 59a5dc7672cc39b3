/*
 * part_number.c - STM32 order codes to DEV_ID and flash size (part_number.h). The line of an order code is its
 * digits after "STM32" and the family letter; within some lines the DEV_ID also depends on the flash size (the F1
 * densities, F401xB/C against xD/E). Sources: the datasheets' ordering information and RM0008/RM0360/RM0091/RM0090/
 * RM0368/RM0383/RM0351/RM0444/RM0316/RM0440/RM0385/RM0431/RM0433/RM0367/RM0376/RM0377/RM0038 "MCU device ID code"
 * sections.
 */
#include "part_number.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

#define KB 1024u

/* The flash size letter of an order code (the character after the pin-count letter). */
static uint32_t flash_size_of_letter(char letter)
{
    static const struct {
        char letter;
        uint32_t kb;
    } sizes[] = {{'3', 8},   {'4', 16},  {'6', 32},  {'8', 64},   {'B', 128},  {'Z', 192}, {'C', 256},
                 {'D', 384}, {'E', 512}, {'F', 768}, {'G', 1024}, {'H', 1536}, {'I', 2048}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (sizes[i].letter == letter)
            return sizes[i].kb * KB;
    return 0;
}

/* A line: the order code's line ("F103"), the flash sizes it applies to (0: any), and the DEV_ID. */
struct line_rule {
    const char *line;
    uint32_t min_kb, max_kb;
    uint16_t dev_id;
};

static const struct line_rule lines[] = {
    {"F030", 0, 32, 0x444},   {"F030", 64, 64, 0x440},  {"F030", 256, 256, 0x442}, {"F031", 0, 0, 0x444},
    {"F038", 0, 0, 0x444},    {"F042", 0, 0, 0x445},    {"F048", 0, 0, 0x445},     {"F070", 0, 32, 0x445},
    {"F070", 128, 128, 0x448}, {"F051", 0, 0, 0x440},   {"F058", 0, 0, 0x440},     {"F071", 0, 0, 0x448},
    {"F072", 0, 0, 0x448},    {"F078", 0, 0, 0x448},    {"F091", 0, 0, 0x442},     {"F098", 0, 0, 0x442},
    {"F101", 0, 32, 0x412},   {"F101", 64, 128, 0x410}, {"F101", 256, 512, 0x414}, {"F102", 0, 32, 0x412},
    {"F102", 64, 128, 0x410}, {"F103", 0, 32, 0x412},   {"F103", 64, 128, 0x410},  {"F103", 256, 512, 0x414},
    {"F105", 0, 0, 0x418},    {"F107", 0, 0, 0x418},    {"F100", 0, 128, 0x420},   {"F100", 256, 512, 0x428},
    {"F205", 0, 0, 0x411},    {"F207", 0, 0, 0x411},    {"F215", 0, 0, 0x411},     {"F217", 0, 0, 0x411},
    {"F405", 0, 0, 0x413},    {"F407", 0, 0, 0x413},    {"F415", 0, 0, 0x413},     {"F417", 0, 0, 0x413},
    {"F401", 0, 256, 0x423},  {"F401", 384, 512, 0x433}, {"F411", 0, 0, 0x431},    {"F410", 0, 0, 0x458},
    {"F412", 0, 0, 0x441},    {"F446", 0, 0, 0x421},    {"F413", 0, 0, 0x463},     {"F423", 0, 0, 0x463},
    {"L475", 0, 0, 0x415},    {"L476", 0, 0, 0x415},    {"L486", 0, 0, 0x415},     {"L496", 0, 0, 0x461},
    {"L4A6", 0, 0, 0x461},    {"L431", 0, 0, 0x435},    {"L432", 0, 0, 0x435},     {"L433", 0, 0, 0x435},
    {"L442", 0, 0, 0x435},    {"L443", 0, 0, 0x435},    {"L451", 0, 0, 0x462},     {"L452", 0, 0, 0x462},
    {"L462", 0, 0, 0x462},    {"L412", 0, 0, 0x464},    {"L422", 0, 0, 0x464},     {"G030", 0, 0, 0x466},
    {"G031", 0, 0, 0x466},    {"G041", 0, 0, 0x466},    {"G050", 0, 0, 0x456},     {"G051", 0, 0, 0x456},
    {"G061", 0, 0, 0x456},    {"G070", 0, 0, 0x460},    {"G071", 0, 0, 0x460},     {"G081", 0, 0, 0x460},
    {"F302", 128, 256, 0x422}, {"F302", 384, 512, 0x446}, {"F303", 128, 256, 0x422}, {"F303", 384, 512, 0x446},
    {"F358", 0, 0, 0x422},    {"F398", 0, 0, 0x446},    {"G431", 0, 0, 0x468},     {"G441", 0, 0, 0x468},
    {"G471", 0, 0, 0x469},    {"G473", 0, 0, 0x469},    {"G474", 0, 0, 0x469},     {"G483", 0, 0, 0x469},
    {"G484", 0, 0, 0x469},    {"F745", 0, 0, 0x449},    {"F746", 0, 0, 0x449},     {"F756", 0, 0, 0x449},
    {"F722", 0, 0, 0x452},    {"F723", 0, 0, 0x452},    {"F730", 0, 0, 0x452},     {"F732", 0, 0, 0x452},
    {"F733", 0, 0, 0x452},    {"F750", 0, 0, 0x449},    {"F765", 0, 0, 0x451},     {"F767", 0, 0, 0x451},
    {"F768", 0, 0, 0x451},    {"F769", 0, 0, 0x451},    {"F777", 0, 0, 0x451},     {"F778", 0, 0, 0x451},
    {"F779", 0, 0, 0x451},
    {"L051", 0, 0, 0x417},    {"L052", 0, 0, 0x417},    {"L053", 0, 0, 0x417},     {"L062", 0, 0, 0x417},
    {"L063", 0, 0, 0x417},    {"L071", 0, 0, 0x447},    {"L072", 0, 0, 0x447},     {"L073", 0, 0, 0x447},
    {"L081", 0, 0, 0x447},    {"L082", 0, 0, 0x447},    {"L083", 0, 0, 0x447},
    /* L1: 32-128 KB Cat.1 (the -A codes are Cat.2, 0x429, with the same layout), 256 KB Cat.3, 512 KB Cat.5; the
     * 384 KB xD is Cat.4 (0x436), which the part table leaves out. */
    {"L100", 0, 128, 0x416},  {"L100", 256, 256, 0x427}, {"L151", 0, 128, 0x416},  {"L151", 256, 256, 0x427},
    {"L151", 512, 512, 0x437}, {"L152", 0, 128, 0x416}, {"L152", 256, 256, 0x427}, {"L152", 512, 512, 0x437},
    {"L162", 256, 256, 0x427}, {"L162", 512, 512, 0x437},
    {"F101", 768, 1024, 0x430}, {"F103", 768, 1024, 0x430}, /* XL density */
    {"H742", 0, 0, 0x450},    {"H743", 0, 0, 0x450},    {"H750", 0, 0, 0x450},     {"H753", 0, 0, 0x450},
};

static bool rule_covers(const struct line_rule *rule, const char *line, uint32_t flash_size)
{
    return strcmp(rule->line, line) == 0 &&
           (rule->max_kb == 0 || (flash_size >= rule->min_kb * KB && flash_size <= rule->max_kb * KB));
}

bool part_number_decode(const char *name, struct part_number *out, const char **why)
{
    char code[24] = "";
    size_t len = strlen(name);
    if (len >= sizeof code) {
        *why = "too long for an STM32 order code";
        return false;
    }
    for (size_t i = 0; i <= len; i++)
        code[i] = (char)toupper((unsigned char)name[i]);
    /* STM32 + line (4 characters) + pin count + flash size */
    if (strncmp(code, "STM32", 5) != 0 || len < 11) {
        *why = "not an STM32 order code such as stm32f103c8";
        return false;
    }
    char line[5];
    memcpy(line, code + 5, 4);
    line[4] = '\0';
    uint32_t flash_size = flash_size_of_letter(code[10]);
    if (flash_size == 0) {
        *why = "its flash size letter is not one of 3 4 6 8 B Z C D E F G H I";
        return false;
    }
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        if (!rule_covers(&lines[i], line, flash_size))
            continue;
        out->part = stm32_part_find(lines[i].dev_id);
        out->flash_size = flash_size;
        struct image_target layout;
        if (out->part == NULL) {
            *why = "its line is not in the part table";
            return false;
        }
        if (!stm32_part_describe(out->part, flash_size, &layout)) {
            *why = "the part table's flash layout of its line does not cover its flash size (docs/flash.md)";
            return false;
        }
        return true;
    }
    *why = "its line and flash size are not in the part table (docs/flash.md lists the lines)";
    return false;
}

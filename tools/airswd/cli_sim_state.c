/*
 * cli_sim_state.c - a simulated chip's non-volatile memory kept in a file between runs (`--target
 * sim:PART,state=FILE`): the flash array, the option bytes and the data EEPROM (L0/L1), as a power cycle would
 * keep them.
 *
 * Format: a text header ("airswd-sim-state 1", "part NAME", "flash BYTES", "options BYTES", an empty line), then
 * the flash bytes, the option bytes and the part's data EEPROM bytes (a file that ends before them, written before
 * the EEPROM was kept, leaves it erased). Written to FILE.tmp and renamed, so a crash never leaves half a state. The
 * header is read line by line, each up to its own '\n': the flash that follows may start with any byte, blank space
 * included (a stack pointer of 0x20004F20 starts with a space).
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define STATE_MAGIC "airswd-sim-state 1"

/* One line of the header into line, without its '\n'; false when the line does not end within size bytes. */
static bool read_line(FILE *file, char *line, size_t size)
{
    if (fgets(line, (int)size, file) == NULL)
        return false;
    size_t len = strlen(line);
    if (len == 0 || line[len - 1] != '\n')
        return false;
    line[len - 1] = '\0';
    return true;
}

static bool read_header(FILE *file, const char *path, const struct sim_stm32 *sim, uint32_t flash, uint32_t options)
{
    char magic[32], part_line[48], flash_line[32], options_line[32], empty[2], part[32], extra;
    unsigned long flash_size, option_size;
    if (!read_line(file, magic, sizeof magic) || strcmp(magic, STATE_MAGIC) != 0 ||
        !read_line(file, part_line, sizeof part_line) || sscanf(part_line, "part %31s %c", part, &extra) != 1 ||
        !read_line(file, flash_line, sizeof flash_line) ||
        sscanf(flash_line, "flash %lu %c", &flash_size, &extra) != 1 ||
        !read_line(file, options_line, sizeof options_line) ||
        sscanf(options_line, "options %lu %c", &option_size, &extra) != 1 || !read_line(file, empty, sizeof empty) ||
        empty[0] != '\0') {
        fprintf(stderr, "airswd: %s is not a simulator state file\n", path);
        return false;
    }
    if (strcmp(part, sim->part->name) != 0) {
        fprintf(stderr, "airswd: %s holds the state of a %s, not of a %s\n", path, part, sim->part->name);
        return false;
    }
    if (flash_size != flash || option_size != options) {
        fprintf(stderr,
                "airswd: %s was written by another version of the simulator (%lu B of flash and %lu B of option "
                "bytes, where this %s has %lu and %lu): remove it to start from an erased chip\n",
                path, flash_size, option_size, part, (unsigned long)flash, (unsigned long)options);
        return false;
    }
    return true;
}

bool cli_sim_state_load(struct sim_stm32 *sim, const char *path)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        if (errno == ENOENT)
            return true; /* a new chip: erased flash, factory option bytes */
        fprintf(stderr, "airswd: cannot read %s: %s\n", path, strerror(errno));
        return false;
    }
    uint32_t flash = sim_flash_size(sim->flash);
    if (!read_header(file, path, sim, flash, SIM_FLASH_OPTION_AREA_SIZE)) {
        fclose(file);
        return false; /* read_header said why */
    }
    uint32_t eeprom = sim_flash_eeprom_size(sim->flash);
    bool ok = fread(sim_flash_array(sim->flash), 1, flash, file) == flash &&
              fread(sim_flash_options(sim->flash), 1, SIM_FLASH_OPTION_AREA_SIZE, file) == SIM_FLASH_OPTION_AREA_SIZE;
    size_t eeprom_read = ok ? fread(sim_flash_eeprom(sim->flash), 1, eeprom, file) : 0;
    if (eeprom_read != 0 && eeprom_read != eeprom)
        ok = false;
    fclose(file);
    if (!ok) {
        fprintf(stderr, "airswd: %s is truncated or damaged: remove it to start from an erased chip\n", path);
        return false;
    }
    sim_stm32_power_on_reset(sim); /* options load and boot as after a power cycle */
    return true;
}

bool cli_sim_state_save(struct sim_stm32 *sim, const char *path)
{
    char temporary[512];
    snprintf(temporary, sizeof temporary, "%s.tmp", path);
    FILE *file = fopen(temporary, "wb");
    uint32_t flash = sim_flash_size(sim->flash), eeprom = sim_flash_eeprom_size(sim->flash);
    bool ok = file != NULL &&
              fprintf(file, "%s\npart %s\nflash %lu\noptions %lu\n\n", STATE_MAGIC, sim->part->name,
                      (unsigned long)flash, (unsigned long)SIM_FLASH_OPTION_AREA_SIZE) > 0 &&
              fwrite(sim_flash_array(sim->flash), 1, flash, file) == flash &&
              fwrite(sim_flash_options(sim->flash), 1, SIM_FLASH_OPTION_AREA_SIZE, file) ==
                  SIM_FLASH_OPTION_AREA_SIZE &&
              fwrite(sim_flash_eeprom(sim->flash), 1, eeprom, file) == eeprom;
    if (file != NULL && fclose(file) != 0)
        ok = false;
    if (ok && rename(temporary, path) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "airswd: cannot save the simulator state to %s: %s\n", path, strerror(errno));
    return ok;
}

/*
 * port_firmware_slot.c - the daemon's firmware update slot (port_firmware_slot.h).
 */
#include "port_firmware_slot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void load_state(struct port_firmware_slot *slot)
{
    FILE *file = fopen(slot->state_path, "r");
    if (file == NULL)
        return;
    char name[64];
    unsigned long value;
    while (fscanf(file, "%63s %lu", name, &value) == 2) {
        if (strcmp(name, "min_security_version") == 0)
            slot->min_security_version = (uint32_t)value;
        else if (strcmp(name, "staged_security_version") == 0)
            slot->staged_security_version = (uint32_t)value, slot->staged = true;
        else if (strcmp(name, "staged_size") == 0)
            slot->staged_size = (uint32_t)value;
    }
    fclose(file);
}

/* Written aside and renamed into place: a crash leaves the old state or the new one. */
static bool save_state(const struct port_firmware_slot *slot)
{
    char temporary[sizeof slot->state_path + 8];
    snprintf(temporary, sizeof temporary, "%s.new", slot->state_path);
    FILE *file = fopen(temporary, "w");
    if (file == NULL)
        return false;
    fprintf(file, "min_security_version %lu\n", (unsigned long)slot->min_security_version);
    if (slot->staged)
        fprintf(file, "staged_security_version %lu\nstaged_size %lu\n", (unsigned long)slot->staged_security_version,
                (unsigned long)slot->staged_size);
    bool ok = fflush(file) == 0;
    ok = fclose(file) == 0 && ok;
    return ok && rename(temporary, slot->state_path) == 0;
}

static const struct hal_storage *slot_storage(void *ctx, char *why, size_t size)
{
    (void)why;
    (void)size;
    struct port_firmware_slot *slot = ctx;
    return &slot->storage.hal;
}

static uint32_t min_security_version(void *ctx)
{
    struct port_firmware_slot *slot = ctx;
    return slot->min_security_version;
}

static enum status activate(void *ctx, uint32_t size, uint32_t security_version, struct status_report *report)
{
    struct port_firmware_slot *slot = ctx;
    struct port_firmware_slot before = *slot;
    slot->staged = true;
    slot->staged_security_version = security_version;
    slot->staged_size = size;
    if (security_version > slot->min_security_version)
        slot->min_security_version = security_version;
    if (!save_state(slot)) {
        *slot = before;
        return status_fail(report, STATUS_STORE_IO, "%s could not be written: %s", slot->state_path, strerror(errno));
    }
    fprintf(stderr, "airswdd: programmer firmware checked (security version %lu, %lu bytes) and kept in the update "
                    "slot; airswdd itself does not run it\n",
            (unsigned long)security_version, (unsigned long)size);
    return STATUS_OK;
}

enum status port_firmware_slot_open(struct port_firmware_slot *slot, const char *path, struct status_report *report)
{
    memset(slot, 0, sizeof *slot);
    snprintf(slot->state_path, sizeof slot->state_path, "%s.state", path);
    enum status status = port_file_storage_open(&slot->storage, path, PORT_FIRMWARE_SLOT_SECTORS, report);
    if (status != STATUS_OK)
        return status;
    load_state(slot);
    slot->port = (struct firmware_update_port){
        .ctx = slot, .slot = slot_storage, .min_security_version = min_security_version, .activate = activate};
    return STATUS_OK;
}

void port_firmware_slot_close(struct port_firmware_slot *slot)
{
    port_file_storage_close(&slot->storage);
}

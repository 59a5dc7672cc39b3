/*
 * port_firmware_slot.h - the programmer's firmware update slot of the Linux daemon: a file that receives an
 * ESP8266 firmware exactly as the ESP8266 receives one into its other OTA partition (src/service/firmware_update.h),
 * so that signing, uploading and the device's checks can be tried and tested on a PC. airswdd never runs what it
 * keeps there: it records the checked firmware as the one that would boot, and raises the programmer's anti-rollback
 * minimum as the ESP8266 does once the new firmware has confirmed itself.
 *
 * FILE is the slot (960 KB of 4 KB sectors, the size of a 4 MB board's OTA partition); FILE.state holds the
 * minimum and what was staged ("min_security_version N", "staged_security_version N", "staged_size N").
 */
#ifndef AIRSWD_PORT_FIRMWARE_SLOT_H
#define AIRSWD_PORT_FIRMWARE_SLOT_H

#include <stdbool.h>
#include <stdint.h>

#include "port_file_storage.h"
#include "service/firmware_update.h"

#define PORT_FIRMWARE_SLOT_SECTORS 240 /* 0xF0000 bytes */

struct port_firmware_slot {
    struct firmware_update_port port; /* port.ctx points here */
    struct port_file_storage storage;
    char state_path[512];
    uint32_t min_security_version;
    bool staged;
    uint32_t staged_security_version, staged_size;
};

enum status port_firmware_slot_open(struct port_firmware_slot *slot, const char *path, struct status_report *report);
void port_firmware_slot_close(struct port_firmware_slot *slot);

#endif /* AIRSWD_PORT_FIRMWARE_SLOT_H */

/*
 * esp8266_firmware.h - the firmware's own updates: the update slot of src/service/firmware_update.h (the OTA
 * partition it does not run from), and the trial that a new firmware must pass.
 *
 * An update is booted on trial. Before restarting into it, the old firmware records it in the firmware record
 * (PERSIST_TAG_FIRMWARE, in the settings partition). The new firmware, as the very first thing it does, finds itself
 * on trial and points the bootloader back at the previous firmware: from then on any crash, watchdog reset or power
 * cut brings the previous firmware back. Once the new firmware serves (HTTP listening, and on the owner's WiFi or
 * with its setup access point up) it confirms itself: the bootloader points at it again for good, and the
 * anti-rollback minimum rises to its security version. If it has not confirmed itself within 60 s of its start it
 * restarts, into the previous firmware, which logs that the update did not hold.
 *
 * A 1 MB board has no second OTA partition: it takes no update over the network (the slot says why).
 */
#ifndef ESP8266_FIRMWARE_H
#define ESP8266_FIRMWARE_H

#include <stdbool.h>

#include "service/firmware_update.h"
#include "service/persist_flash.h"

/* Reads the firmware record from keeper (mounted, on the settings partition) and, when this firmware is an update on
 * trial, makes the previous one the boot firmware again. Called first thing at start-up, before anything that could
 * crash. Returns the port for device_config.firmware. */
const struct firmware_update_port *esp8266_firmware_boot(struct persist_flash *keeper, void (*lock)(void),
                                                         void (*unlock)(void));
/* On the network task: confirms a trial once the device serves, gives up on one after 60 s, and restarts into an
 * activated update once its answer has gone out. What happened to an update is also written to the service's log. */
void esp8266_firmware_poll(struct service *service, bool serving);

#endif /* ESP8266_FIRMWARE_H */

/*
 * port_persist.h - the device service's settings and event log kept in files of the daemon's state directory.
 *
 * DIR/settings.txt: the settings, rewritten whole (written aside, then renamed into place) at each change.
 * DIR/log.txt: one line per log line ("SEQ TIME_S TEXT"), appended; when it holds twice SERVICE_LOG_LINES it is
 * rewritten (aside, then renamed) with the newest SERVICE_LOG_LINES only, so that it stays bounded. A torn last line
 * (a crash during an append) is skipped at load.
 * DIR/security.bin: the service's security record (setup, the admin key, the trusted keys...), rewritten whole like
 * the settings, mode 0600. A security.bin that cannot be read, or is of another size, is damage (the service then
 * refuses setup and every protected request until --factory-reset); a missing one is a fresh device.
 * DIR/anti-rollback.bin: the service's anti-rollback record (the minimum alone), rewritten whole when it rises.
 */
#ifndef AIRSWD_PORT_PERSIST_H
#define AIRSWD_PORT_PERSIST_H

#include "service/service.h"

struct port_persist {
    char settings_path[512];
    char log_path[512];
    char security_path[512];
    char rollback_path[512];
    struct service_log_line recent[SERVICE_LOG_LINES]; /* the newest lines, a ring indexed by seq */
    unsigned lines_in_file;
};

/* Sets up the file names under dir (which must exist) and returns the callbacks for service_config.persist. */
const struct service_persist *port_persist_init(struct port_persist *persist, const char *dir);

#endif

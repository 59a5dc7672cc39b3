/*
 * service.c - the service's state: initialisation, the lock, settings, the event log and the event ring.
 */
#include "service/service.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json/json.h"

void service_init(struct service *service, const struct service_config *config, struct store *store)
{
    memset(service, 0, sizeof *service);
    service->config = *config;
    service->store = store;
    service->settings.verify = true;
    service->settings.transport = (uint8_t)config->target.transport;
    service->started_us = config->system->now_us(config->system->ctx);
    const struct service_persist *persist = config->persist;
    if (persist == NULL) {
        service_security_load_locked(service);
        return;
    }
    struct service_settings saved = service->settings; /* what a saved record does not hold keeps its default */
    if (persist->load_settings && persist->load_settings(config->persist_ctx, &saved))
        service->settings = saved;
    if (persist->load_log) {
        /* The saved lines keep their numbers; the newest one's carries on. */
        struct service_log_line lines[SERVICE_LOG_LINES];
        unsigned count = persist->load_log(config->persist_ctx, lines, SERVICE_LOG_LINES);
        for (unsigned i = 0; i < count && i < SERVICE_LOG_LINES; i++) {
            if (lines[i].seq == 0 || lines[i].seq <= service->log_seq)
                continue;
            lines[i].text[SERVICE_LOG_TEXT_MAX - 1] = '\0';
            service->log[lines[i].seq % SERVICE_LOG_LINES] = lines[i];
            service->log_seq = lines[i].seq;
        }
    }
    service_security_load_locked(service); /* after the log, where it may say the record was damaged */
}

uint32_t service_uptime_s(struct service *service)
{
    const struct hal_system *system = service->config.system;
    return (uint32_t)((system->now_us(system->ctx) - service->started_us) / 1000000u);
}

void service_lock(struct service *service)
{
    if (service->config.lock)
        service->config.lock(service->config.lock_ctx);
}

void service_unlock(struct service *service)
{
    if (service->config.unlock)
        service->config.unlock(service->config.lock_ctx);
}

enum status service_copy_report(struct status_report *to, const struct status_report *from, enum status status)
{
    if (to != NULL && to != from) {
        to->status = status;
        memcpy(to->detail, from->detail, sizeof to->detail);
    }
    return status;
}

void service_settings_get(struct service *service, struct service_settings *settings)
{
    service_lock(service);
    *settings = service->settings;
    service_unlock(service);
}

void service_settings_set(struct service *service, const struct service_settings *settings)
{
    service_lock(service);
    service->settings = *settings;
    const struct service_persist *persist = service->config.persist;
    if (persist && persist->save_settings)
        persist->save_settings(service->config.persist_ctx, settings);
    service_unlock(service);
}

/* ---- events: a ring of the last SERVICE_EVENTS, numbered from 1 ---- */

void service_event_push_locked(struct service *service, const char *name, const char *data)
{
    struct service_event *event = &service->events[++service->event_seq % SERVICE_EVENTS];
    event->seq = service->event_seq;
    snprintf(event->name, sizeof event->name, "%s", name);
    snprintf(event->data, sizeof event->data, "%s", data);
}

bool service_event_get(struct service *service, uint32_t seq, struct service_event *event)
{
    service_lock(service);
    const struct service_event *kept = &service->events[seq % SERVICE_EVENTS];
    bool found = seq != 0 && kept->seq == seq;
    if (found)
        *event = *kept;
    service_unlock(service);
    return found;
}

uint32_t service_event_last(struct service *service)
{
    service_lock(service);
    uint32_t seq = service->event_seq;
    service_unlock(service);
    return seq;
}

/* ---- the event log ---- */

void service_log_locked(struct service *service, const char *text)
{
    struct service_log_line *line = &service->log[++service->log_seq % SERVICE_LOG_LINES];
    line->seq = service->log_seq;
    line->time_s = service_uptime_s(service);
    snprintf(line->text, sizeof line->text, "%s", text);
    const struct service_persist *persist = service->config.persist;
    if (persist && persist->append_log)
        persist->append_log(service->config.persist_ctx, line);

    char data[SERVICE_EVENT_DATA_MAX];
    struct json_writer writer;
    json_writer_init(&writer, data, sizeof data);
    json_object_begin(&writer);
    json_key(&writer, "seq");
    json_uint(&writer, line->seq);
    json_key(&writer, "time_s");
    json_uint(&writer, line->time_s);
    json_key(&writer, "text");
    json_string(&writer, line->text);
    json_object_end(&writer);
    if (json_writer_finish(&writer) != NULL)
        service_event_push_locked(service, "log", data);

    const struct hal_system *system = service->config.system;
    if (system->log)
        system->log(system->ctx, HAL_LOG_INFO, line->text);
}

void service_log(struct service *service, const char *format, ...)
{
    char text[SERVICE_LOG_TEXT_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    service_lock(service);
    service_log_locked(service, text);
    service_unlock(service);
}

bool service_log_get(struct service *service, uint32_t seq, struct service_log_line *line)
{
    service_lock(service);
    const struct service_log_line *kept = &service->log[seq % SERVICE_LOG_LINES];
    bool found = seq != 0 && kept->seq == seq;
    if (found)
        *line = *kept;
    service_unlock(service);
    return found;
}

uint32_t service_log_last(struct service *service)
{
    service_lock(service);
    uint32_t seq = service->log_seq;
    service_unlock(service);
    return seq;
}

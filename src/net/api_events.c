/*
 * api_events.c - GET /api/v1/events: the service's events (progress, job, log) as Server-Sent Events. Each stream
 * remembers the next event it owes its client; api_pump() writes what is new. A client that falls further behind
 * than the service's ring, or reconnects with a Last-Event-ID older than it, skips to the oldest event still kept.
 */
#include "net/api.h"

#include <stdio.h>
#include <stdlib.h>

/* The first event a new stream owes: the one after Last-Event-ID when a reconnecting client sends it (EventSource
 * does) and it names an event of this run of the service; otherwise only what happens from now on. */
static uint32_t first_event(struct api *api, struct http_request *req)
{
    uint32_t last = service_event_last(api->service);
    const char *resume = http_request_header(req, "Last-Event-ID");
    if (resume == NULL || *resume < '0' || *resume > '9')
        return last + 1;
    char *end;
    unsigned long seen = strtoul(resume, &end, 10);
    return *end == '\0' && seen <= last ? (uint32_t)seen + 1 : last + 1;
}

void api_events_get(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    for (unsigned i = 0; i < API_EVENT_STREAMS; i++) {
        struct api_stream *stream = &api->streams[i];
        if (stream->conn != NULL)
            continue;
#if AIRSWD_API_CONSOLE
        if (!api_console_stream_begin(api, req, stream))
            return;
#endif
        if (http_begin_sse(req->connection) != STATUS_OK)
            return;
        stream->conn = req->connection;
        stream->next_seq = first_event(api, req);
        req->handler_state = stream;
        return;
    }
    http_response_header(req->connection, "Retry-After", "5");
    api_respond_error(api, req, 503, "busy", "too many event streams open");
}

void api_events_finish(void *ctx, struct http_request *req, bool completed)
{
    (void)ctx;
    (void)completed;
    struct api_stream *stream = req->handler_state;
    if (stream != NULL)
        stream->conn = NULL;
    req->handler_state = NULL;
}

void api_pump(struct api *api)
{
    uint32_t last = service_event_last(api->service);
    for (unsigned i = 0; i < API_EVENT_STREAMS; i++) {
        struct api_stream *stream = &api->streams[i];
        if (stream->conn == NULL)
            continue;
        if (last >= SERVICE_EVENTS && stream->next_seq <= last - SERVICE_EVENTS)
            stream->next_seq = last - SERVICE_EVENTS + 1;
        while (stream->next_seq <= last) {
            struct service_event event;
            if (!service_event_get(api->service, stream->next_seq, &event)) {
                stream->next_seq++;
                continue;
            }
            char id[12];
            snprintf(id, sizeof id, "%lu", (unsigned long)event.seq);
            if (http_sse_event_id(stream->conn, id, event.name, event.data) != STATUS_OK)
                break; /* the client is behind: the rest waits for the next pump */
            stream->next_seq++;
        }
#if AIRSWD_API_CONSOLE
        if (stream->console)
            api_console_pump(api, stream);
#endif
    }
}

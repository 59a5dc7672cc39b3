/*
 * service_link.c - who holds the link to the target: a flash job or a debug session, one at a time. The service
 * owns the link; a job takes it when it is queued (job_active) and a GDB client when it connects.
 */
#include "service/service.h"

enum status service_debug_session_begin(struct service *service, struct status_report *report)
{
    service_lock(service);
    enum status status = STATUS_OK;
    if (service->job_active)
        status = status_fail(report, STATUS_STORE_BUSY, "a flash job holds the target: wait for it to end");
    else if (service->debug_session)
        status = status_fail(report, STATUS_STORE_BUSY, "another gdb session holds the target");
    else
        service->debug_session = true;
    service_unlock(service);
    if (status == STATUS_OK)
        service_log(service, "gdb: a debug session holds the target");
    return status;
}

void service_debug_session_end(struct service *service)
{
    service_lock(service);
    bool was = service->debug_session;
    service->debug_session = false;
    service_unlock(service);
    if (was)
        service_log(service, "gdb: the debug session ended; the target runs its firmware");
}

bool service_link_free(struct service *service)
{
    service_lock(service);
    bool free = !service->job_active && !service->debug_session;
    service_unlock(service);
    return free;
}

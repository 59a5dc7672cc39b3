/*
 * sim_session.c - a simulated STM32 with the whole host stack attached.
 */
#include "sim_session.h"

#include <string.h>

bool sim_session_create(struct sim_session *session, const char *part, bool whole_packet)
{
    memset(session, 0, sizeof *session);
    session->stm32 = sim_stm32_create(part, 0);
    if (!session->stm32)
        return false;
    port_sim_init(&session->port, session->stm32->target, whole_packet);
    swd_init(&session->swd, &session->port.swd, &session->port.system, &session->report);
    return true;
}

enum status sim_session_attach(struct sim_session *session)
{
    enum status status = adi_dp_attach(&session->dp, &session->swd);
    if (status == STATUS_OK)
        status = adi_mem_ap_find(&session->ap, &session->dp);
    return status;
}

void sim_session_destroy(struct sim_session *session)
{
    sim_stm32_destroy(session->stm32);
    session->stm32 = NULL;
}

const char *sim_session_error(const struct sim_session *session)
{
    static char text[AIRSWD_STATUS_DETAIL_MAX + 256];
    return status_format(&session->report, text, sizeof text);
}

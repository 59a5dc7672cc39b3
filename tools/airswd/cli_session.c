/*
 * cli_session.c - the connection the one-shot commands share: debug port, MEM-AP, core, and the identified part.
 */
#include "cli.h"

#include <stdio.h>

bool cli_session_open(struct cli_target *target, struct cli_session *session)
{
    enum status status = adi_dp_attach(&session->dp, &target->swd);
    const char *what = "connect";
    if (status == STATUS_OK)
        status = adi_mem_ap_find(&session->ap, &session->dp);
    if (status == STATUS_OK) {
        what = "core";
        status = cortexm_attach(&session->core, &session->ap, target->system, target->pins, &target->report);
    }
    if (status == STATUS_OK) {
        what = "identify";
        status = stm32_identify(&session->target, &session->ap, target->system, &target->report);
    }
    if (status != STATUS_OK) {
        cli_print_failure(target, what);
        return false;
    }
    return true;
}

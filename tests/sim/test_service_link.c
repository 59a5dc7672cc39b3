/*
 * test_service_link.c - src/service/service_link.c through the REST API, in process, on the simulated Blue Pill:
 * a debug session and jobs take the link to the target in turn. A job asked for during a session is refused with
 * 409 and a reason that names the gdb session; a session asked for while a job waits or runs is refused with a
 * reason that names the job; each gets the link once the other has let it go.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api_client.h"
#include "sim_session.h"

#define PASSPHRASE "a passphrase for the link"

static struct {
    struct sim_session session;
    struct api_client client;
} bench;

static int start(void **state)
{
    (void)state;
    memset(&bench, 0, sizeof bench);
    assert_true(sim_session_create(&bench.session, "stm32f103c8", true));
    const struct job_link link = {.swd = &bench.session.port.swd, .system = &bench.session.port.system,
                                  .pins = &bench.session.port.pins};
    api_client_start_with_target(&bench.client, &link);
    struct api_client_response response;
    api_client_setup(&bench.client, PASSPHRASE, &response);
    assert_int_equal(response.status, 200);
    return 0;
}

static int stop(void **state)
{
    (void)state;
    sim_session_destroy(&bench.session);
    return 0;
}

static struct service *service(void)
{
    return &bench.client.device.service;
}

static void post_reset_job(struct api_client_response *response)
{
    api_client_request(&bench.client, "POST", "/api/v1/jobs", "{\"action\":\"reset\"}", true, response);
}

static void test_a_job_during_a_debug_session_is_refused_naming_it(void **state)
{
    (void)state;
    struct status_report report = {0};
    assert_int_equal(service_debug_session_begin(service(), &report), STATUS_OK);
    assert_false(service_link_free(service()));
    struct api_client_response response;
    post_reset_job(&response);
    assert_int_equal(response.status, 409);
    assert_non_null(strstr(response.body, "gdb session"));
    /* A second session is refused too. */
    assert_int_equal(service_debug_session_begin(service(), &report), STATUS_STORE_BUSY);
    assert_non_null(strstr(report.detail, "another gdb session"));

    service_debug_session_end(service());
    assert_true(service_link_free(service()));
    post_reset_job(&response);
    assert_int_equal(response.status, 202);
    device_run_jobs(&bench.client.device);
}

static void test_a_debug_session_waits_for_a_queued_or_running_job(void **state)
{
    (void)state;
    struct api_client_response response;
    post_reset_job(&response);
    assert_int_equal(response.status, 202);
    struct status_report report = {0};
    assert_int_equal(service_debug_session_begin(service(), &report), STATUS_STORE_BUSY);
    assert_non_null(strstr(report.detail, "flash job"));
    assert_false(service_link_free(service()));

    device_run_jobs(&bench.client.device);
    assert_true(service_link_free(service()));
    status_clear(&report);
    assert_int_equal(service_debug_session_begin(service(), &report), STATUS_OK);
    service_debug_session_end(service());
}

static void test_the_target_is_not_identified_during_a_session(void **state)
{
    (void)state;
    struct status_report report = {0};
    assert_int_equal(service_debug_session_begin(service(), &report), STATUS_OK);
    struct api_client_response response;
    api_client_request(&bench.client, "GET", "/api/v1/target", NULL, true, &response);
    assert_int_equal(response.status, 409);
    assert_non_null(strstr(response.body, "gdb session"));
    service_debug_session_end(service());
    api_client_request(&bench.client, "GET", "/api/v1/target", NULL, true, &response);
    assert_int_equal(response.status, 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_job_during_a_debug_session_is_refused_naming_it, start, stop),
        cmocka_unit_test_setup_teardown(test_a_debug_session_waits_for_a_queued_or_running_job, start, stop),
        cmocka_unit_test_setup_teardown(test_the_target_is_not_identified_during_a_session, start, stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * api.c - the route table of REST API v1. Every route docs/api.md marks [auth] is HTTP_ROUTE_PROTECTED, so that
 * the security layer only has to set http_config.authorize; so are the reads that describe the device's work, whose
 * API_ROUTE_* flags say who may read them unsigned (api_access.c).
 */
#include "net/api.h"

#include <string.h>

/* The largest upload the engine lets through; the store's slot size, known at run time, is checked by the handler. */
#define API_UPLOAD_MAX (16u * 1024u * 1024u)

const struct http_route api_routes[] = {
    {HTTP_GET, "/", 0, 0, api_static_get, NULL, NULL, api_static_finish},
    {HTTP_GET, "/{file}", 0, 0, api_static_get, NULL, NULL, api_static_finish},
    {HTTP_GET, "/api/v1/device", 0, HTTP_ROUTE_PROTECTED | API_ROUTE_OPEN_SUMMARY, api_device_summary_get, NULL, NULL,
     NULL},
    {HTTP_GET, "/api/v1/auth/nonce", 0, 0, api_nonce_get, NULL, NULL, NULL},
    {HTTP_GET, "/api/v1/auth/check", 0, HTTP_ROUTE_PROTECTED, api_auth_check_get, NULL, NULL, NULL},
    {HTTP_POST, "/api/v1/setup", API_BODY_MAX, HTTP_ROUTE_BODY_REQUIRED, api_setup_begin, api_body_collect,
     api_setup_post, api_exchange_release},
    {HTTP_POST, "/api/v1/keys", API_BODY_MAX, HTTP_ROUTE_PROTECTED | HTTP_ROUTE_BODY_REQUIRED, api_body_begin,
     api_body_collect, api_keys_post, api_exchange_release},
    {HTTP_DELETE, "/api/v1/keys/{id}", 0, HTTP_ROUTE_PROTECTED, api_key_delete, NULL, NULL, NULL},
    {HTTP_PUT, "/api/v1/image-key", API_BODY_MAX, HTTP_ROUTE_PROTECTED | HTTP_ROUTE_BODY_REQUIRED, api_body_begin,
     api_body_collect, api_image_key_put, api_exchange_release},
    {HTTP_GET, "/api/v1/target", 0, HTTP_ROUTE_PROTECTED, api_target_get, NULL, NULL, NULL},
    {HTTP_GET, "/api/v1/images", 0, HTTP_ROUTE_PROTECTED, api_images_get, NULL, NULL, NULL},
    {HTTP_POST, "/api/v1/images", API_UPLOAD_MAX, HTTP_ROUTE_PROTECTED | HTTP_ROUTE_BODY_REQUIRED, api_images_post,
     api_images_post_body, api_images_post_end, api_images_post_finish},
    {HTTP_DELETE, "/api/v1/images/{id}", 0, HTTP_ROUTE_PROTECTED, api_image_delete, NULL, NULL, NULL},
    {HTTP_GET, "/api/v1/images/{id}/data", 0, HTTP_ROUTE_PROTECTED, api_image_data_get, NULL, NULL,
     api_exchange_release},
    {HTTP_POST, "/api/v1/jobs", API_BODY_MAX, HTTP_ROUTE_PROTECTED | HTTP_ROUTE_BODY_REQUIRED, api_body_begin,
     api_body_collect, api_jobs_post, api_exchange_release},
    {HTTP_GET, "/api/v1/jobs/{id}", 0, HTTP_ROUTE_PROTECTED | API_ROUTE_BENCH_STATUS, api_job_get, NULL, NULL, NULL},
    {HTTP_DELETE, "/api/v1/jobs/{id}", 0, HTTP_ROUTE_PROTECTED, api_job_delete, NULL, NULL, NULL},
    {HTTP_GET, "/api/v1/events", 0, HTTP_ROUTE_PROTECTED | API_ROUTE_BENCH_STATUS, api_events_get, NULL, NULL,
     api_events_finish},
    {HTTP_GET, "/api/v1/log", 0, HTTP_ROUTE_PROTECTED | API_ROUTE_BENCH_STATUS, api_log_get, NULL, NULL,
     api_exchange_release},
    {HTTP_GET, "/api/v1/settings", 0, HTTP_ROUTE_PROTECTED, api_settings_get, NULL, NULL, NULL},
    {HTTP_PUT, "/api/v1/settings", API_BODY_MAX, HTTP_ROUTE_PROTECTED | HTTP_ROUTE_BODY_REQUIRED, api_body_begin,
     api_body_collect, api_settings_put, api_exchange_release},
#if AIRSWD_API_CONSOLE
    {HTTP_POST, "/api/v1/console", API_BODY_MAX, HTTP_ROUTE_PROTECTED | HTTP_ROUTE_BODY_REQUIRED, api_body_begin,
     api_console_body, api_console_post, api_exchange_release},
    {HTTP_PUT, "/api/v1/console", API_BODY_MAX, HTTP_ROUTE_PROTECTED | HTTP_ROUTE_BODY_REQUIRED, api_body_begin,
     api_body_collect, api_console_put, api_exchange_release},
#endif
    {HTTP_GET, "/api/v1/board", 0, HTTP_ROUTE_PROTECTED, api_board_get, NULL, NULL, NULL},
    {HTTP_POST, "/api/v1/firmware", API_UPLOAD_MAX, HTTP_ROUTE_PROTECTED | HTTP_ROUTE_BODY_REQUIRED, api_firmware_post,
     api_firmware_post_body, api_firmware_post_end, api_firmware_post_finish},
    {HTTP_PUT, "/api/v1/board", API_BODY_MAX, HTTP_ROUTE_PROTECTED | HTTP_ROUTE_BODY_REQUIRED, api_board_put_begin,
     api_body_collect, api_board_put, api_exchange_release},
};

const size_t api_route_count = sizeof api_routes / sizeof api_routes[0];

void api_init(struct api *api, struct service *service)
{
    memset(api, 0, sizeof *api);
    api->service = service;
    api->http.routes = api_routes;
    api->http.route_count = api_route_count;
    api->http.ctx = api;
    api->http.screen = api_screen;
    api->http.response_fields = API_RESPONSE_FIELDS;
}

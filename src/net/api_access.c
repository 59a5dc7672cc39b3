/*
 * api_access.c - what a client may read without signing (docs/security.md, "What an unsigned client reads").
 *
 * After setup every route that reads the device's work (its log, events, jobs, images, target, settings, board)
 * needs a signed request, like every route that changes something. Two exceptions, both GET routes flagged in the
 * route table:
 *   - API_ROUTE_OPEN_SUMMARY (GET /api/v1/device): anyone reads a summary (name, version, the setup state: what a
 *     client needs before it can sign); a signed request reads the whole.
 *   - API_ROUTE_BENCH_STATUS (the status and the log: GET /api/v1/device in full, /log, /events, /jobs/{id}): open to
 *     unsigned requests while the owner's public_status setting is on, for a bench screen.
 * A request that carries a signature on these routes has it checked all the same: a wrong one is refused.
 * Before setup there is no key to sign with: GET /api/v1/device answers its summary whatever the request carries,
 * and every other protected route answers 403 not-configured.
 */
#include "net/api.h"

bool api_access_public_status(struct api *api)
{
    if (!secure_auth_is_configured(&api->auth))
        return false;
    struct service_settings settings;
    service_settings_get(api->service, &settings);
    return settings.public_status;
}

bool api_access_unsigned(struct api *api, const struct http_request *req)
{
    unsigned flags = req->route != NULL ? req->route->flags : 0;
    bool signature = http_request_header(req, "Authorization") != NULL;
    if (flags & API_ROUTE_OPEN_SUMMARY)
        return !signature || !secure_auth_is_configured(&api->auth);
    if (flags & API_ROUTE_BENCH_STATUS)
        return !signature && api_access_public_status(api);
    return false;
}

bool api_access_full_status(struct api *api, const struct http_request *req)
{
    return api->http.authorize == NULL || api->verified == req || api_access_public_status(api);
}

/*
 * api_upload.c - the one streamed upload at a time (api.h): who holds the way, the hash of an authorized body as
 * it arrives, and the sink that is aborted whenever an upload does not complete.
 */
#include <string.h>

#include "net/api.h"

bool api_upload_claim(struct api *api, struct http_request *req)
{
    uint8_t declared[SECURE_AUTH_HASH_SIZE] = {0};
    bool check = api_auth_take_body(api, req, declared); /* this request's, whether it goes on or not */
    if (api->upload != NULL) {
        api_respond_error(api, req, 409, "busy", "another upload is under way: one at a time");
        return false;
    }
    api->upload = req;
    api->upload_check = check;
    memcpy(api->upload_declared, declared, sizeof declared);
    if (check)
        secure_sha256_start(&api->upload_sha256);
    return true;
}

void api_upload_release(struct api *api)
{
    api->upload = NULL;
    api->upload_check = false;
}

size_t api_upload_body(struct api *api, struct http_request *req, const uint8_t *bytes, size_t len,
                       const struct api_upload_sink *sink)
{
    if (api->upload != req)
        return len; /* refused already: the rest of the body is read and dropped */
    if (api->upload_check)
        secure_sha256_update(&api->upload_sha256, bytes, len);
    enum status status = sink->write(api, bytes, len, &api->report);
    if (status != STATUS_OK) {
        sink->abort(api);
        api_upload_release(api);
        api_respond_status(api, req, status, &api->report);
    }
    return len;
}

bool api_upload_end(struct api *api, struct http_request *req, const struct api_upload_sink *sink)
{
    if (api->upload != req)
        return false;
    bool body_ok = true;
    if (api->upload_check) {
        uint8_t actual[SECURE_SHA256_SIZE];
        secure_sha256_finish(&api->upload_sha256, actual);
        body_ok = api_auth_body_matches(api, req, api->upload_declared, actual); /* answers 400 when not */
    }
    api_upload_release(api);
    if (!body_ok)
        sink->abort(api); /* a body other than the signed one is never used */
    return body_ok;
}

void api_upload_finish(struct api *api, struct http_request *req, const struct api_upload_sink *sink)
{
    if (api->upload == req) {
        sink->abort(api);
        api_upload_release(api);
    }
}

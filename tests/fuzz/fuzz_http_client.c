/*
 * fuzz_http_client.c - the CLI's reading of an answer (ports/linux/http_client_response.c) on arbitrary bytes, as a
 * hostile server would send them: it never reads outside them nor writes outside the body it allocates (ASan), and
 *   - an accepted answer has a status of three digits, a NUL-terminated Content-Type and body, and a body no longer
 *     than the bytes after the head nor than HTTP_CLIENT_BODY_MAX;
 *   - a refusal says why, and leaves no body behind;
 *   - the check made while the answer arrives agrees: on every prefix, once it refuses, the whole answer is refused
 *     too, and once it says the head is complete, it stays so on longer prefixes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The prefixes the check sees: as if the answer arrived in pieces of about 64 bytes, and whole. */
#define PIECE 61u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char error[256];
    bool refused_early = false, was_complete = false;
    for (size_t len = size < PIECE ? size : PIECE; !refused_early; len = len + PIECE < size ? len + PIECE : size) {
        bool complete = false;
        error[0] = '\0';
        refused_early = !http_client_answer_check(data, len, &complete, error, sizeof error);
        if (refused_early && error[0] == '\0')
            abort();
        if (was_complete && !complete && !refused_early)
            abort();
        was_complete = complete;
        if (len == size)
            break;
    }

    struct http_client_response response;
    error[0] = '\0';
    if (!http_client_parse_response(data, size, &response, error, sizeof error)) {
        if (error[0] == '\0' || response.body != NULL || response.body_len != 0)
            abort();
        return 0;
    }
    if (refused_early || !was_complete)
        abort();
    if (response.status < 0 || response.status > 999 || response.body == NULL ||
        response.body_len > HTTP_CLIENT_BODY_MAX || response.body_len >= size ||
        response.body[response.body_len] != '\0' ||
        memchr(response.content_type, '\0', sizeof response.content_type) == NULL)
        abort();
    http_client_response_free(&response);
    return 0;
}

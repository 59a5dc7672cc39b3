#ifndef AIRSWD_WEB_ASSETS_H
#define AIRSWD_WEB_ASSETS_H
/* The web page's files, gzip-compressed at build time (web/embed.sh) and linked into the daemon and the firmware.
 * A server answers with the bytes as they are and "Content-Encoding: gzip": nothing is decompressed on the device. */

#include <stdbool.h>
#include <stddef.h>

struct api_file;

struct web_asset {
    const char *path;                /* "/index.html", "/app.js", ... */
    const char *content_type;        /* with its charset for text */
    const unsigned char *gzip_bytes; /* the file compressed by gzip -9n */
    size_t gzip_size;
    size_t size;      /* the file's size before compression */
    const char *etag; /* a quoted entity tag that changes with the file */
};

/* The asset served at path; "/" is "/index.html", and a query string ("?v=2") is ignored. NULL when there is none. */
const struct web_asset *web_asset_find(const char *path);

/* The asset at path as the REST API serves it (an api_file_lookup of src/net/api.h, for device_config.files). */
bool web_asset_api_file(const char *path, struct api_file *file);

/* The generated table that web_asset_find() searches, for tests and for listing. */
extern const struct web_asset web_asset_table[];
extern const size_t web_asset_count;

#endif

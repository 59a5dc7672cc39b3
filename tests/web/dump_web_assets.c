/* Writes every embedded asset of airswd_web, still compressed, into a folder, with a manifest line per asset
 * ("path size gzip_size file"), and checks web_asset_find()'s lookups. test_web_assets.sh decompresses the files
 * and compares them with web/. */
#include "web_assets.h"

#include <stdio.h>
#include <string.h>

static int check_lookup(const char *path, const char *expected)
{
    const struct web_asset *asset = web_asset_find(path);
    const char *found = asset ? asset->path : "(none)";
    if (strcmp(found, expected ? expected : "(none)") != 0) {
        fprintf(stderr, "FAIL: web_asset_find(\"%s\") gave %s, expected %s\n", path, found,
                expected ? expected : "(none)");
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
        return 2;
    }
    int failures = 0;
    failures += check_lookup("/", "/index.html");
    failures += check_lookup("/index.html", "/index.html");
    failures += check_lookup("/app.js?v=2", "/app.js");
    failures += check_lookup("/style.css", "/style.css");
    failures += check_lookup("/style.cs", NULL);
    failures += check_lookup("/missing.html", NULL);
    failures += check_lookup("", NULL);
    failures += check_lookup(NULL, NULL);

    for (size_t i = 0; i < web_asset_count; i++) {
        const struct web_asset *asset = &web_asset_table[i];
        char file_name[512];
        snprintf(file_name, sizeof file_name, "%s/asset%zu.gz", argv[1], i);
        FILE *file = fopen(file_name, "wb");
        if (!file || fwrite(asset->gzip_bytes, 1, asset->gzip_size, file) != asset->gzip_size || fclose(file) != 0) {
            fprintf(stderr, "FAIL: cannot write %s\n", file_name);
            return 1;
        }
        if (asset->gzip_size < 18 || asset->gzip_bytes[0] != 0x1f || asset->gzip_bytes[1] != 0x8b) {
            fprintf(stderr, "FAIL: %s is not gzip data\n", asset->path);
            failures++;
        }
        if (!asset->content_type || !asset->etag || asset->etag[0] != '"') {
            fprintf(stderr, "FAIL: %s lacks its content type or entity tag\n", asset->path);
            failures++;
        }
        printf("%s %zu %zu %s %s\n", asset->path, asset->size, asset->gzip_size, file_name, asset->content_type);
    }
    return failures ? 1 : 0;
}

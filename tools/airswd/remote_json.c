/*
 * remote_json.c - just enough JSON to read a daemon's answers (remote.h): its members by name, at the top level.
 */
#define _POSIX_C_SOURCE 200809L
#include "remote.h"

#include <stdlib.h>
#include <string.h>

/* The end of the value at p (an object, an array, a string or a scalar). */
const char *json_skip(const char *p)
{
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++)
            if (*p == '\\' && p[1])
                p++;
        return *p ? p + 1 : p;
    }
    if (*p == '{' || *p == '[') {
        int depth = 0;
        for (; *p; p++) {
            if (*p == '"') {
                p = json_skip(p) - 1;
            } else if (*p == '{' || *p == '[') {
                depth++;
            } else if (*p == '}' || *p == ']') {
                if (--depth == 0)
                    return p + 1;
            }
        }
        return p;
    }
    while (*p && *p != ',' && *p != '}' && *p != ']')
        p++;
    return p;
}

/* The value of key among the members of the object at json (not in nested objects); NULL when absent. */
const char *json_get(const char *json, const char *key)
{
    if (json == NULL || *json != '{')
        return NULL;
    size_t key_len = strlen(key);
    const char *p = json + 1;
    while (*p == ' ')
        p++;
    while (*p == '"') {
        const char *name = p + 1;
        const char *after = json_skip(p);
        bool match = (size_t)(after - 1 - name) == key_len && strncmp(name, key, key_len) == 0;
        p = after;
        while (*p == ' ' || *p == ':')
            p++;
        if (match)
            return p;
        p = json_skip(p);
        while (*p == ' ' || *p == ',')
            p++;
    }
    return NULL;
}

bool json_u64(const char *json, const char *key, unsigned long long *value)
{
    const char *p = json_get(json, key);
    if (p == NULL || *p < '0' || *p > '9')
        return false;
    *value = strtoull(p, NULL, 10);
    return true;
}

unsigned long long json_u64_or(const char *json, const char *key, unsigned long long otherwise)
{
    unsigned long long value;
    return json_u64(json, key, &value) ? value : otherwise;
}

bool json_true(const char *json, const char *key)
{
    const char *p = json_get(json, key);
    return p != NULL && strncmp(p, "true", 4) == 0;
}

/* A string member, unescaped (\uXXXX beyond ASCII becomes '?'); "" when absent or not a string. */
const char *json_text(const char *json, const char *key, char *out, size_t size)
{
    const char *p = json_get(json, key);
    size_t n = 0;
    if (p != NULL && *p == '"') {
        for (p++; *p && *p != '"' && n + 1 < size; p++) {
            char c = *p;
            if (c == '\\' && p[1]) {
                c = *++p;
                if (c == 'n')
                    c = '\n';
                else if (c == 't')
                    c = '\t';
                else if (c == 'u') {
                    unsigned code = (unsigned)strtoul((char[5]){p[1], p[2], p[3], p[4], 0}, NULL, 16);
                    c = code < 0x80 ? (char)code : '?';
                    p += strlen(p) >= 5 ? 4 : 0;
                }
            }
            out[n++] = c;
        }
    }
    out[n] = '\0';
    return out;
}

/* The object member key, copied (malloc'd, the caller frees it); NULL when absent or null. */
char *json_object(const char *json, const char *key)
{
    const char *p = json_get(json, key);
    if (p == NULL || *p != '{')
        return NULL;
    const char *end = json_skip(p);
    return strndup(p, (size_t)(end - p));
}


/*
 * load_client.c - a load test of airswdd's HTTP server over plain sockets.
 *
 * load_client PORT [REQUESTS CONCURRENCY SLOW_CLIENTS]
 *
 * First SLOW_CLIENTS connections that send a request one byte per second (the daemon must cut them with its header
 * timeout, never serve them); then REQUESTS GETs (of /api/v1/device, /style.css, /, /app.js in turn: what the
 * unconfigured device answers 200) by CONCURRENCY threads, one connection each ("Connection: close"); all the while
 * a probe GETs /api/v1/device every 250 ms and times it. Prints the figures; exits 1 when a request failed other than
 * by a clean 503, when a probe took longer than 2 s or failed, or when a slow client was served or not cut within
 * 30 s.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PROBE_LIMIT_MS    2000
#define REQUEST_TIMEOUT_S 15
#define SLOW_LIMIT_S      30

static uint16_t port;
static int total_requests = 1000;
static atomic_int next_request;
static atomic_int ok_count, busy_count, error_count;
static atomic_bool storm_over;
static atomic_int probe_count, probe_failures, probe_slow;
static atomic_long probe_max_ms;
static atomic_int slow_cut, slow_served, slow_open, slow_refused;
static atomic_long slow_max_s;

static const char *const paths[] = {"/api/v1/device", "/style.css", "/", "/app.js"};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int connect_daemon(int timeout_s)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct timeval tv = {.tv_sec = timeout_s};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One GET on its own connection: the HTTP status, or -1 (connection, timeout or a malformed answer). */
static int get(const char *path)
{
    int fd = connect_daemon(REQUEST_TIMEOUT_S);
    if (fd < 0)
        return -1;
    char request[256];
    int len =
        snprintf(request, sizeof request,
                 "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n", path);
    if (send(fd, request, (size_t)len, MSG_NOSIGNAL) != len) {
        close(fd);
        return -1;
    }
    char head[64] = {0};
    size_t head_len = 0;
    long body = 0;
    char buffer[8192];
    for (;;) {
        ssize_t got = recv(fd, buffer, sizeof buffer, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) { /* a timeout or a reset */
            close(fd);
            return -1;
        }
        if (got == 0)
            break;
        if (head_len < sizeof head - 1) {
            size_t take = (size_t)got < sizeof head - 1 - head_len ? (size_t)got : sizeof head - 1 - head_len;
            memcpy(head + head_len, buffer, take);
            head_len += take;
        }
        body += got;
    }
    close(fd);
    int status;
    if (sscanf(head, "HTTP/1.1 %d", &status) != 1)
        return -1;
    return status;
}

static void *storm_thread(void *arg)
{
    (void)arg;
    for (;;) {
        int n = atomic_fetch_add(&next_request, 1);
        if (n >= total_requests)
            return NULL;
        int status = get(paths[n % 4]);
        if (status == 200)
            atomic_fetch_add(&ok_count, 1);
        else if (status == 503)
            atomic_fetch_add(&busy_count, 1);
        else
            atomic_fetch_add(&error_count, 1);
    }
}

static void *probe_thread(void *arg)
{
    (void)arg;
    while (!atomic_load(&storm_over)) {
        double start = now_ms();
        int status = get("/api/v1/device");
        long ms = (long)(now_ms() - start);
        atomic_fetch_add(&probe_count, 1);
        if (status != 200)
            atomic_fetch_add(&probe_failures, 1);
        if (ms > PROBE_LIMIT_MS)
            atomic_fetch_add(&probe_slow, 1);
        long max = atomic_load(&probe_max_ms);
        while (ms > max && !atomic_compare_exchange_weak(&probe_max_ms, &max, ms))
            ;
        usleep(250 * 1000);
    }
    return NULL;
}

/* Sends a request one byte per second until the daemon closes the connection. */
static void *slow_thread(void *arg)
{
    (void)arg;
    int fd = connect_daemon(5);
    if (fd >= 0) {
        struct timeval second = {.tv_sec = 1}; /* a byte a second: recv waits a second for an answer */
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &second, sizeof second);
    }
    if (fd < 0) {
        atomic_fetch_add(&slow_refused, 1); /* never got a connection (the backlog was full): nothing to cut */
        return NULL;
    }
    static const char request[] = "GET /api/v1/device HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1234567890123456789012345"
                                  "67890\r\n\r\n";
    double start = now_ms();
    bool cut = false, served = false;
    for (size_t i = 0; now_ms() - start < SLOW_LIMIT_S * 1000.0; i++) {
        if (i < sizeof request - 1 && send(fd, &request[i], 1, MSG_NOSIGNAL) != 1) {
            cut = true;
            break;
        }
        /* Up to a second for an answer or a close. */
        char buffer[512];
        ssize_t got = recv(fd, buffer, sizeof buffer - 1, 0);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            cut = true;
            break;
        }
        if (got > 0) {
            buffer[got] = '\0';
            int status = 0;
            if (sscanf(buffer, "HTTP/1.1 %d", &status) == 1 && status == 200)
                served = true;
        }
    }
    close(fd);
    long seconds = (long)((now_ms() - start) / 1000.0 + 0.5);
    long max = atomic_load(&slow_max_s);
    while (seconds > max && !atomic_compare_exchange_weak(&slow_max_s, &max, seconds))
        ;
    if (served)
        atomic_fetch_add(&slow_served, 1);
    else if (cut)
        atomic_fetch_add(&slow_cut, 1);
    else
        atomic_fetch_add(&slow_open, 1);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 5) {
        fprintf(stderr, "usage: load_client PORT [REQUESTS CONCURRENCY SLOW_CLIENTS]\n");
        return 2;
    }
    port = (uint16_t)atoi(argv[1]);
    int concurrency = 50, slow = 20;
    if (argc == 5) {
        total_requests = atoi(argv[2]);
        concurrency = atoi(argv[3]);
        slow = atoi(argv[4]);
    }
    pthread_t slow_threads[256], storm_threads[256], probe;
    if (concurrency > 256 || slow > 256 || concurrency < 1 || slow < 0)
        return 2;

    for (int i = 0; i < slow; i++)
        pthread_create(&slow_threads[i], NULL, slow_thread, NULL);
    sleep(2); /* the slow clients hold their connections when the storm starts */

    double start = now_ms();
    pthread_create(&probe, NULL, probe_thread, NULL);
    for (int i = 0; i < concurrency; i++)
        pthread_create(&storm_threads[i], NULL, storm_thread, NULL);
    for (int i = 0; i < concurrency; i++)
        pthread_join(storm_threads[i], NULL);
    double elapsed = (now_ms() - start) / 1000.0;
    atomic_store(&storm_over, true);
    pthread_join(probe, NULL);
    for (int i = 0; i < slow; i++)
        pthread_join(slow_threads[i], NULL);

    printf("requests: %d sent, %d ok (200), %d busy (503), %d errors, in %.2f s (%.0f requests/s)\n", total_requests,
           ok_count, busy_count, error_count, elapsed, total_requests / elapsed);
    printf("probe GET /api/v1/device during the storm: %d, %d failed, %d over %d ms, slowest %ld ms\n", probe_count,
           probe_failures, probe_slow, PROBE_LIMIT_MS, probe_max_ms);
    printf("slow clients: %d, %d cut by the daemon, %d served, %d still open after %d s, %d could not connect; "
           "longest %ld s\n",
           slow, slow_cut, slow_served, slow_open, SLOW_LIMIT_S, slow_refused, slow_max_s);
    bool ok = error_count == 0 && ok_count > 0 && probe_failures == 0 && probe_slow == 0 && slow_served == 0 &&
              slow_open == 0;
    printf("%s\n", ok ? "load: ok" : "load: FAILED");
    return ok ? 0 : 1;
}

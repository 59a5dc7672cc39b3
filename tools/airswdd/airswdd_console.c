/*
 * airswdd_console.c - the console bridge's thread (airswdd_console.h): while debug mode is on it listens on the raw
 * port and the RFC 2217 port (on --listen's address), hands what clients send to the line into the chip, and sends
 * each client the chip's output from the history on. While a client is connected the simulated chip runs in step
 * with the wall clock whenever the target is free; while a job or a gdb session holds the target, the holder's
 * thread drives the chip and the line keeps working through it (the UART is not the SWD link).
 */
#define _POSIX_C_SOURCE 200809L
#include "airswdd_console.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "airswdd_rfc2217.h"
#include "net/api.h"
#include "service/service.h"
#include "sim_stm32.h"

#define CONSOLE_IDLE_POLL_MS 100
#define CONSOLE_CLIENT_POLL_MS 1
/* The most chip time one look lets pass: a host that falls behind slows the chip down rather than let it jump. */
#define CONSOLE_MAX_STEP_NS 20000000ll
#define CLIENT_PENDING_BYTES 2048u
#define CLIENT_FILL_BYTES 768u /* escaped, at most twice that: the rest of pending is room for telnet answers */
#define CLIENT_READ_BYTES 512u
/* A page that read the console this recently still counts as a client: the chip runs for it. */
#define CONSOLE_WEB_READER_NS 1000000000ll

struct console_client {
    struct airswdd_console *console;
    int fd; /* -1: a free slot */
    bool telnet;
    uint64_t cursor; /* the next byte of the chip's output this client gets */
    uint8_t pending[CLIENT_PENDING_BYTES];
    size_t pending_len, pending_sent;
    struct rfc2217_port port; /* what the session drives: this client and the line */
    struct rfc2217_session session;
};

static struct console_client clients[CONSOLE_CLIENTS];

static int64_t monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000ll + now.tv_nsec;
}

/* ---- the page's console, through the API (network thread) ---- */

static pthread_mutex_t web_mutex = PTHREAD_MUTEX_INITIALIZER;
static int64_t web_read_ns; /* when the API last read the output for a page; 0: never */

static size_t web_read(void *ctx, uint64_t *cursor, uint8_t *bytes, size_t len)
{
    (void)ctx;
    pthread_mutex_lock(&web_mutex);
    web_read_ns = monotonic_ns();
    pthread_mutex_unlock(&web_mutex);
    return console_output_read(cursor, bytes, len);
}

static size_t web_write(void *ctx, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    size_t room = console_line_room();
    size_t taken = len < room ? len : room;
    console_line_send(bytes, taken);
    return taken;
}

static struct service *web_service; /* for the log: the console's, once it started */

static uint32_t web_line_baud(void *ctx, uint32_t baud)
{
    (void)ctx;
    struct console_line_settings settings;
    console_line_get(&settings);
    if (baud != 0 && baud != settings.baud) {
        char text[48];
        settings.baud = baud;
        console_line_set(&settings);
        console_line_settings_format(&settings, text, sizeof text);
        if (web_service != NULL)
            service_log(web_service, "console: the line runs at %s (set by the page)", text);
    }
    return settings.baud;
}

void airswdd_console_hold_for_job(struct service *service, bool held)
{
    console_line_hold(held);
    /* Said once, before the job runs, while the console is open (someone may be typing): a line at the job's end
     * would land after the job shows as done, where a client reading the log could not expect it. */
    if (held && service_security_debug(service))
        service_log(service, "console: a job may talk to the ROM bootloader on USART1: what is typed waits until the "
                             "job ends");
}

const struct api_console airswdd_console_api = {.read = web_read, .write = web_write, .line_baud = web_line_baud};

bool airswdd_console_web_active(void)
{
    pthread_mutex_lock(&web_mutex);
    bool active = web_read_ns != 0 && monotonic_ns() - web_read_ns < CONSOLE_WEB_READER_NS;
    pthread_mutex_unlock(&web_mutex);
    return active;
}

static bool console_should_quit(struct airswdd_console *console)
{
    pthread_mutex_lock(&console->mutex);
    bool quit = console->quit;
    pthread_mutex_unlock(&console->mutex);
    return quit;
}

/* ---- the RFC 2217 session's side effects ---- */

static void client_to_line(void *ctx, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    console_line_send(bytes, len);
}

static void client_queue(void *ctx, const uint8_t *bytes, size_t len)
{
    struct console_client *client = ctx;
    if (client->pending_len + len > sizeof client->pending)
        return; /* a client that floods us with requests and reads nothing loses answers */
    memcpy(client->pending + client->pending_len, bytes, len);
    client->pending_len += len;
}

static void client_get_settings(void *ctx, struct console_line_settings *settings)
{
    (void)ctx;
    console_line_get(settings);
}

static void client_set_settings(void *ctx, const struct console_line_settings *settings)
{
    struct console_client *client = ctx;
    char text[48];
    console_line_set(settings);
    console_line_settings_format(settings, text, sizeof text);
    service_log(client->console->service, "console: the line runs at %s (set by an RFC 2217 client)", text);
}

static void client_purge(void *ctx, bool from_chip, bool to_chip)
{
    struct console_client *client = ctx;
    if (from_chip)
        client->cursor = console_output_end();
    if (to_chip)
        console_line_purge();
}

static const struct rfc2217_port client_port_ops = {
    .to_line = client_to_line,
    .to_client = client_queue,
    .get_settings = client_get_settings,
    .set_settings = client_set_settings,
    .purge = client_purge,
};

/* ---- clients ---- */

static unsigned client_count(void)
{
    unsigned count = 0;
    for (unsigned i = 0; i < CONSOLE_CLIENTS; i++)
        count += clients[i].fd >= 0;
    return count;
}

static void client_drop(struct console_client *client)
{
    close(client->fd);
    client->fd = -1;
}

static void client_accept(struct airswdd_console *console, struct tcp_listener *listener, bool telnet)
{
    int fd = tcp_listener_accept(listener, 0);
    if (fd < 0)
        return;
    for (unsigned i = 0; i < CONSOLE_CLIENTS; i++) {
        struct console_client *client = &clients[i];
        if (client->fd >= 0)
            continue;
        *client = (struct console_client){
            .console = console, .fd = fd, .telnet = telnet, .cursor = console_output_oldest(), .port = client_port_ops};
        client->port.ctx = client;
        rfc2217_init(&client->session, &client->port);
        service_log(console->service, "console: a client connected to the %s port (%u connected)",
                    telnet ? "RFC 2217" : "raw", client_count());
        return;
    }
    char busy[80];
    int len = snprintf(busy, sizeof busy, "airswd: the console serves %u clients at a time\r\n", CONSOLE_CLIENTS);
    (void)tcp_client_write(fd, (const uint8_t *)busy, (size_t)len);
    close(fd);
}

/* What a client sent, as far as the line has room. */
static bool client_receive(struct console_client *client)
{
    size_t room = console_line_room();
    if (room == 0)
        return true; /* the line is full: the client waits (TCP flow control) */
    uint8_t bytes[CLIENT_READ_BYTES];
    ssize_t got = recv(client->fd, bytes, room < sizeof bytes ? room : sizeof bytes, MSG_DONTWAIT);
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        return false;
    if (got < 0)
        return true;
    if (client->telnet)
        rfc2217_receive(&client->session, bytes, (size_t)got);
    else
        console_line_send(bytes, (size_t)got);
    return true;
}

/* Sends what is pending, refilled from the chip's output once it is all gone; never blocks. */
static bool client_flush(struct console_client *client)
{
    if (client->pending_sent == client->pending_len) {
        client->pending_len = client->pending_sent = 0;
        if (!(client->telnet && client->session.suspended)) {
            uint8_t bytes[CLIENT_FILL_BYTES];
            uint64_t cursor = client->cursor;
            size_t got = console_output_read(&cursor, bytes, sizeof bytes), used = got;
            if (client->telnet) {
                client->pending_len = rfc2217_escape(bytes, got, &used, client->pending, sizeof client->pending);
            } else {
                memcpy(client->pending, bytes, got);
                client->pending_len = got;
            }
            client->cursor = cursor - (got - used);
        }
    }
    if (client->pending_sent == client->pending_len)
        return true;
    ssize_t sent = send(client->fd, client->pending + client->pending_sent, client->pending_len - client->pending_sent,
                        MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    client->pending_sent += (size_t)sent;
    return true;
}

static void clients_drop_all(void)
{
    for (unsigned i = 0; i < CONSOLE_CLIENTS; i++) {
        if (clients[i].fd >= 0)
            client_drop(&clients[i]);
    }
}

/* ---- the ports and the chip ---- */

/* Opens both ports while debug mode is on, closes them (and drops the clients) when it goes off. */
static bool console_follow_switch(struct airswdd_console *console)
{
    bool enabled = console->sim != NULL && service_security_debug(console->service);
    bool open = tcp_listener_is_open(&console->raw);
    if (enabled && !open) {
        char address[INET_ADDRSTRLEN] = "";
        inet_ntop(AF_INET, &(struct in_addr){.s_addr = htonl(console->address)}, address, sizeof address);
        if (tcp_listener_open(&console->raw, console->address, console->raw_port) != 0 ||
            tcp_listener_open(&console->rfc2217, console->address, console->rfc2217_port) != 0) {
            if (!console->listen_failed) /* said once; tried again at every look */
                service_log(console->service, "console: cannot listen on %s:%u and %s:%u: %s", address,
                            console->raw_port, address, console->rfc2217_port, strerror(errno));
            console->listen_failed = true;
            tcp_listener_close(&console->raw);
            return false;
        }
        console->listen_failed = false;
        service_log(console->service, "console: listening on %s:%u (raw) and %s:%u (RFC 2217) (debug mode)", address,
                    console->raw.port, address, console->rfc2217.port);
        return true;
    }
    if (!enabled && open) {
        clients_drop_all();
        tcp_listener_close(&console->raw);
        tcp_listener_close(&console->rfc2217);
        service_log(console->service, "console: ports closed (debug mode is off)");
    }
    return enabled && open;
}

/* The chip's time follows the wall clock while the target is free; a job or a gdb session drives it otherwise. */
static void console_run_chip(struct airswdd_console *console, int64_t *last_ns)
{
    int64_t now = monotonic_ns(), step = now - *last_ns;
    *last_ns = now;
    if (step > CONSOLE_MAX_STEP_NS)
        step = CONSOLE_MAX_STEP_NS;
    service_lock(console->service);
    if (!console->service->job_active && !console->service->debug_session && step > 0)
        sim_stm32_run_for(console->sim, (uint64_t)step * 1000u);
    service_unlock(console->service);
}

/* One look at the listeners and the clients, waiting up to timeout_ms for any of them. */
static void console_serve(struct airswdd_console *console, int timeout_ms)
{
    struct pollfd fds[2 + CONSOLE_CLIENTS];
    fds[0] = (struct pollfd){.fd = console->raw.fd, .events = POLLIN};
    fds[1] = (struct pollfd){.fd = console->rfc2217.fd, .events = POLLIN};
    for (unsigned i = 0; i < CONSOLE_CLIENTS; i++)
        fds[2 + i] = (struct pollfd){.fd = clients[i].fd, .events = POLLIN};
    if (poll(fds, 2 + CONSOLE_CLIENTS, timeout_ms) > 0) {
        if (fds[0].revents & POLLIN)
            client_accept(console, &console->raw, false);
        if (fds[1].revents & POLLIN)
            client_accept(console, &console->rfc2217, true);
    }
    for (unsigned i = 0; i < CONSOLE_CLIENTS; i++) {
        struct console_client *client = &clients[i];
        if (client->fd < 0 || fds[2 + i].fd != client->fd)
            continue;
        bool alive = !(fds[2 + i].revents & (POLLIN | POLLHUP | POLLERR)) || client_receive(client);
        if (alive)
            alive = client_flush(client);
        if (!alive) {
            client_drop(client);
            service_log(console->service, "console: a client left (%u connected)", client_count());
        }
    }
}

static void *console_main(void *ctx)
{
    struct airswdd_console *console = ctx;
    int64_t last_ns = monotonic_ns();
    while (!console_should_quit(console)) {
        if (!console_follow_switch(console)) {
            (void)poll(NULL, 0, CONSOLE_IDLE_POLL_MS);
            continue;
        }
        bool any = client_count() > 0 || airswdd_console_web_active();
        console_serve(console, any ? CONSOLE_CLIENT_POLL_MS : CONSOLE_IDLE_POLL_MS);
        if (any)
            console_run_chip(console, &last_ns);
        else
            last_ns = monotonic_ns();
    }
    clients_drop_all();
    tcp_listener_close(&console->raw);
    tcp_listener_close(&console->rfc2217);
    return NULL;
}

bool airswdd_console_start(struct airswdd_console *console)
{
    console->raw.fd = console->rfc2217.fd = -1;
    console->quit = false;
    web_service = console->service;
    for (unsigned i = 0; i < CONSOLE_CLIENTS; i++)
        clients[i].fd = -1;
    if (console->sim != NULL && !console_line_attach(console->sim))
        return false;
    pthread_mutex_init(&console->mutex, NULL);
    if (pthread_create(&console->thread, NULL, console_main, console) != 0) {
        pthread_mutex_destroy(&console->mutex);
        return false;
    }
    return true;
}

void airswdd_console_stop(struct airswdd_console *console)
{
    pthread_mutex_lock(&console->mutex);
    console->quit = true;
    pthread_mutex_unlock(&console->mutex);
    pthread_join(console->thread, NULL);
    pthread_mutex_destroy(&console->mutex);
}

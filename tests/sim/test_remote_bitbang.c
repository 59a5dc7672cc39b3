/*
 * test_remote_bitbang.c - the remote_bitbang server over a real loopback socket, driven the way OpenOCD 0.12's
 * bit-bang driver drives it: TCK low with TMS/TDI, 'R' to read TDO, TCK high. Reads the IDCODE chain of a
 * simulated F1, pulses SRST and TRST, and checks that a client that quits or hangs up leaves the server listening.
 */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "remote_bitbang.h"
#include "sim_target.h"

#define JTAG_DP_IDCODE_F1 0x3BA00477u
#define BS_IDCODE_F1      0x06410041u
#define POLL_MS           100
#define MAX_REQUESTS      4096u
#define MAX_NRST_EVENTS   8u

struct fixture {
    struct sim_target *target;
    struct remote_bitbang *server;
    int client;
    bool nrst_events[MAX_NRST_EVENTS]; /* asserted, in order */
    unsigned nrst_event_count;
    int cycles; /* TCK cycles the server reported */
};

/* A request string being built. */
struct requests {
    char text[MAX_REQUESTS];
    size_t length;
    unsigned reads;
};

static void record_nrst(void *ctx, bool asserted, uint64_t now_ps)
{
    (void)now_ps;
    struct fixture *fixture = ctx;
    assert_true(fixture->nrst_event_count < MAX_NRST_EVENTS);
    fixture->nrst_events[fixture->nrst_event_count++] = asserted;
}

static int connect_client(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&address, sizeof(address)), 0);
    return fd;
}

static void accept_client(struct fixture *fixture)
{
    fixture->client = connect_client(remote_bitbang_port(fixture->server));
    for (unsigned i = 0; i < 50 && !remote_bitbang_connected(fixture->server); i++)
        assert_true(remote_bitbang_poll(fixture->server, POLL_MS) >= 0);
    assert_true(remote_bitbang_connected(fixture->server));
}

static int setup(void **state)
{
    struct fixture *fixture = calloc(1, sizeof(*fixture));
    assert_non_null(fixture);
    struct sim_target_config config;
    sim_target_default_config(&config);
    fixture->target = sim_target_create(&config);
    assert_non_null(fixture->target);
    struct sim_target_hooks hooks = {.ctx = fixture, .nrst = record_nrst};
    sim_target_set_hooks(fixture->target, &hooks);
    fixture->server = remote_bitbang_create(0, fixture->target);
    assert_non_null(fixture->server);
    assert_true(remote_bitbang_port(fixture->server) != 0);
    accept_client(fixture);
    *state = fixture;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fixture = *state;
    if (fixture->client >= 0)
        close(fixture->client);
    remote_bitbang_destroy(fixture->server);
    sim_target_destroy(fixture->target);
    free(fixture);
    return 0;
}

static void add(struct requests *requests, char request)
{
    assert_true(requests->length < sizeof(requests->text));
    requests->text[requests->length++] = request;
    if (request == 'R')
        requests->reads++;
}

/* One TCK cycle as OpenOCD's bitbang_scan() makes it, optionally reading TDO while TCK is low. */
static void add_cycle(struct requests *requests, bool tms, bool tdi, bool read_tdo)
{
    char low = (char)('0' + (tms ? 2 : 0) + (tdi ? 1 : 0));
    add(requests, low);
    if (read_tdo)
        add(requests, 'R');
    add(requests, (char)(low + 4));
}

static void add_tap_reset_to_idle(struct requests *requests)
{
    for (unsigned i = 0; i < 5; i++)
        add_cycle(requests, true, false, false);
    add_cycle(requests, false, false, false);
}

/* From Run-Test/Idle: a DR scan of `count` bits of TDI=1, reading every TDO, back to Run-Test/Idle, TCK low. */
static void add_dr_read(struct requests *requests, unsigned count)
{
    add_cycle(requests, true, false, false);  /* Select-DR-Scan */
    add_cycle(requests, false, false, false); /* Capture-DR */
    add_cycle(requests, false, false, false); /* Shift-DR */
    for (unsigned i = 0; i < count; i++)
        add_cycle(requests, i + 1 == count, true, true);
    add_cycle(requests, true, false, false);  /* Update-DR */
    add_cycle(requests, false, false, false); /* Run-Test/Idle */
    add(requests, '0');
}

/* Sends the requests, lets the server work, and collects one answer per 'R'. */
static void exchange(struct fixture *fixture, const struct requests *requests, char *answers)
{
    assert_int_equal(send(fixture->client, requests->text, requests->length, 0), (ssize_t)requests->length);
    size_t received = 0;
    for (unsigned attempt = 0; attempt < 100 && received < requests->reads; attempt++) {
        int cycles = remote_bitbang_poll(fixture->server, POLL_MS);
        assert_true(cycles >= 0);
        fixture->cycles += cycles;
        struct pollfd pfd = {.fd = fixture->client, .events = POLLIN};
        if (poll(&pfd, 1, 0) <= 0)
            continue;
        ssize_t got = recv(fixture->client, answers + received, requests->reads - received, 0);
        assert_true(got > 0);
        received += (size_t)got;
    }
    assert_int_equal(received, requests->reads);
}

static uint64_t bits_of(const char *answers, unsigned count)
{
    uint64_t value = 0;
    for (unsigned i = 0; i < count; i++) {
        assert_true(answers[i] == '0' || answers[i] == '1');
        value |= (uint64_t)(answers[i] == '1') << i;
    }
    return value;
}

static uint64_t read_idcodes(struct fixture *fixture)
{
    struct requests requests = {0};
    add_tap_reset_to_idle(&requests);
    add_dr_read(&requests, 64);
    char answers[64];
    exchange(fixture, &requests, answers);
    return bits_of(answers, 64);
}

/* Waits until the server has seen the client leave. */
static void expect_server_listening(struct fixture *fixture)
{
    for (unsigned i = 0; i < 50 && remote_bitbang_connected(fixture->server); i++)
        assert_true(remote_bitbang_poll(fixture->server, POLL_MS) >= 0);
    assert_false(remote_bitbang_connected(fixture->server));
}

static void test_idcode_chain_reads_dp_first_then_boundary_scan(void **state)
{
    struct fixture *fixture = *state;
    uint64_t idcodes = read_idcodes(fixture);
    assert_int_equal((uint32_t)idcodes, JTAG_DP_IDCODE_F1);
    assert_int_equal((uint32_t)(idcodes >> 32), BS_IDCODE_F1);
    /* 6 cycles of reset, 3 into Shift-DR, 64 shifts, 2 back to Run-Test/Idle. */
    assert_int_equal(fixture->cycles, 6 + 3 + 64 + 2);
}

static void test_srst_drives_nrst(void **state)
{
    struct fixture *fixture = *state;
    struct requests requests = {0};
    add(&requests, 's'); /* trst 0, srst 1 */
    add(&requests, 's');
    add(&requests, 'r');
    add(&requests, 'u'); /* both */
    add(&requests, 'r');
    add(&requests, 'R'); /* a read, so that exchange() knows when the server is done */
    char answer;
    exchange(fixture, &requests, &answer);
    assert_int_equal(fixture->nrst_event_count, 4);
    assert_true(fixture->nrst_events[0]);
    assert_false(fixture->nrst_events[1]);
    assert_true(fixture->nrst_events[2]);
    assert_false(fixture->nrst_events[3]);
}

static void test_trst_resets_the_taps_to_idcode(void **state)
{
    struct fixture *fixture = *state;
    struct requests requests = {0};
    add_tap_reset_to_idle(&requests);
    /* An IR scan that loads BYPASS into both TAPs. */
    add_cycle(&requests, true, false, false);
    add_cycle(&requests, true, false, false);
    add_cycle(&requests, false, false, false);
    add_cycle(&requests, false, false, false);
    for (unsigned i = 0; i < 9; i++)
        add_cycle(&requests, i == 8, true, false);
    add_cycle(&requests, true, false, false);
    add_cycle(&requests, false, false, false);
    add(&requests, 't'); /* TRST asserted: clocks do not move the TAPs */
    add_cycle(&requests, true, false, false);
    add_cycle(&requests, false, false, false);
    add(&requests, 'r');
    add_cycle(&requests, false, false, false); /* Run-Test/Idle */
    add_dr_read(&requests, 32);
    char answers[32];
    exchange(fixture, &requests, answers);
    assert_int_equal((uint32_t)bits_of(answers, 32), JTAG_DP_IDCODE_F1);
}

static void test_unknown_and_blink_requests_are_ignored(void **state)
{
    struct fixture *fixture = *state;
    struct requests requests = {0};
    const char *noise = "Bb\nO o?";
    for (const char *c = noise; *c; c++)
        add(&requests, *c);
    add(&requests, 'R');
    char answer;
    exchange(fixture, &requests, &answer);
    assert_int_equal(answer, '1'); /* Test-Logic-Reset: TDO not driven */
    assert_int_equal((uint32_t)read_idcodes(fixture), JTAG_DP_IDCODE_F1);
}

static void test_quit_closes_client_and_server_listens_again(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(send(fixture->client, "Q", 1, 0), 1);
    expect_server_listening(fixture);
    char byte;
    assert_int_equal(recv(fixture->client, &byte, 1, 0), 0); /* the server closed its side */
    close(fixture->client);
    accept_client(fixture);
    assert_int_equal((uint32_t)read_idcodes(fixture), JTAG_DP_IDCODE_F1);
}

static void test_hang_up_releases_srst(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(send(fixture->client, "s", 1, 0), 1);
    close(fixture->client);
    fixture->client = -1;
    expect_server_listening(fixture);
    assert_int_equal(fixture->nrst_event_count, 2);
    assert_true(fixture->nrst_events[0]);
    assert_false(fixture->nrst_events[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_idcode_chain_reads_dp_first_then_boundary_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_srst_drives_nrst, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trst_resets_the_taps_to_idcode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_and_blink_requests_are_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quit_closes_client_and_server_listens_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hang_up_releases_srst, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_persist_flash.c - settings blobs and the log on flash (src/service/persist_flash, service_persist_flash):
 * round trips, sector wraps, the log ring, refusals, and a power cut at every program and erase of a run of
 * settings updates and log appends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "service/persist_flash.h"
#include "service/service_persist_flash.h"
#include "store_power_cut.h"
#include "status_assert.h"

#define SECTOR       4096u
#define SECTORS      6u
#define FIRST_SECTOR 1u /* the region starts after a sector that is not ours */
#define OUTSIDE_BYTE 0xA5u

struct bench {
    uint8_t bytes[SECTORS * SECTOR];
    struct power_cut_storage flash;
    struct status_report report;
    struct persist_flash keeper;
    uint32_t region_sectors;
};

static struct bench *bench_new(uint32_t region_sectors, uint32_t seed)
{
    struct bench *bench = calloc(1, sizeof *bench);
    assert_non_null(bench);
    power_cut_storage_init(&bench->flash, bench->bytes, SECTOR, SECTORS, seed);
    bench->region_sectors = region_sectors;
    /* Sectors outside the region hold someone else's bytes, which must never change. */
    memset(bench->bytes, OUTSIDE_BYTE, FIRST_SECTOR * SECTOR);
    memset(bench->bytes + (FIRST_SECTOR + region_sectors) * SECTOR, OUTSIDE_BYTE,
           (SECTORS - FIRST_SECTOR - region_sectors) * SECTOR);
    return bench;
}

static void bench_free(struct bench *bench)
{
    assert_int_equal(bench->flash.nor_violations, 0);
    for (uint32_t i = 0; i < SECTORS * SECTOR; i++)
        if (i / SECTOR < FIRST_SECTOR || i / SECTOR >= FIRST_SECTOR + bench->region_sectors)
            assert_int_equal(bench->bytes[i], OUTSIDE_BYTE);
    free(bench);
}

#define assert_ok(bench, call) assert_status_ok(&(bench)->report, call)

static enum status bench_mount(struct bench *bench)
{
    status_clear(&bench->report);
    return persist_flash_mount(&bench->keeper, &bench->flash.hal, FIRST_SECTOR, bench->region_sectors, &bench->report);
}

static uint32_t mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    x ^= x >> 16;
    return x;
}

/* Version v of a blob of tag: its length and bytes follow from both. */
static size_t blob_value(unsigned tag, uint32_t version, uint8_t *bytes)
{
    size_t len = mix(tag * 7919u + version) % (PERSIST_FLASH_BLOB_MAX + 1);
    for (size_t i = 0; i < len; i++)
        bytes[i] = (uint8_t)mix(version * 131u + tag * 17u + (uint32_t)i);
    if (len > 40)
        memset(bytes + len - 20, 0xFF, 20); /* trailing erased-looking bytes */
    return len;
}

static void assert_blob(struct bench *bench, unsigned tag, uint32_t version)
{
    uint8_t expected[PERSIST_FLASH_BLOB_MAX], got[PERSIST_FLASH_BLOB_MAX];
    size_t len = blob_value(tag, version, expected), got_len = 9999;
    assert_ok(bench, persist_flash_get(&bench->keeper, tag, got, sizeof got, &got_len));
    assert_int_equal(got_len, len);
    assert_memory_equal(got, expected, len);
}

/* Log entry number n: "entry n" and a tail whose length depends on n. */
static size_t entry_value(uint32_t n, uint8_t *bytes)
{
    int head = snprintf((char *)bytes, PERSIST_FLASH_LOG_ENTRY_MAX, "entry %lu ", (unsigned long)n);
    size_t len = (size_t)head + mix(n) % (PERSIST_FLASH_LOG_ENTRY_MAX - (size_t)head + 1);
    for (size_t i = (size_t)head; i < len; i++)
        bytes[i] = (uint8_t)('a' + mix(n + (uint32_t)i) % 26);
    return len;
}

/* What the log holds, read back: the entry numbers, oldest first, each checked against its bytes. */
struct log_contents {
    uint32_t numbers[4096];
    unsigned count;
};

static void collect_entry(void *ctx, const uint8_t *bytes, size_t len)
{
    struct log_contents *log = ctx;
    unsigned long n = strtoul((const char *)bytes + 6, NULL, 10);
    uint8_t expected[PERSIST_FLASH_LOG_ENTRY_MAX];
    assert_int_equal(len, entry_value((uint32_t)n, expected));
    assert_memory_equal(bytes, expected, len);
    assert_true(log->count < 4096);
    log->numbers[log->count++] = (uint32_t)n;
}

static void read_log(struct bench *bench, struct log_contents *log)
{
    log->count = 0;
    unsigned total = persist_flash_log_read(&bench->keeper, 0, collect_entry, log);
    assert_int_equal(total, log->count);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Round trips and refusals.
 */
static void test_put_get_round_trip_for_every_tag(void **state)
{
    (void)state;
    struct bench *bench = bench_new(2, 1);
    assert_ok(bench, bench_mount(bench));
    uint8_t buf[PERSIST_FLASH_BLOB_MAX + 1];
    size_t len;
    assert_int_equal(persist_flash_get(&bench->keeper, 1, buf, sizeof buf, &len), STATUS_STORE_NO_IMAGE);
    for (unsigned tag = 1; tag <= PERSIST_FLASH_TAGS; tag++) {
        uint8_t value[PERSIST_FLASH_BLOB_MAX];
        assert_ok(bench, persist_flash_put(&bench->keeper, tag, value, blob_value(tag, 10, value)));
    }
    /* Empty and largest blobs. */
    memset(buf, 0x3C, PERSIST_FLASH_BLOB_MAX);
    assert_ok(bench, persist_flash_put(&bench->keeper, 1, buf, 0));
    assert_ok(bench, persist_flash_put(&bench->keeper, 2, buf, PERSIST_FLASH_BLOB_MAX));
    for (int pass = 0; pass < 2; pass++) {
        assert_ok(bench, persist_flash_get(&bench->keeper, 1, buf, sizeof buf, &len));
        assert_int_equal(len, 0);
        assert_ok(bench, persist_flash_get(&bench->keeper, 2, buf, sizeof buf, &len));
        assert_int_equal(len, PERSIST_FLASH_BLOB_MAX);
        for (unsigned tag = 3; tag <= PERSIST_FLASH_TAGS; tag++)
            assert_blob(bench, tag, 10);
        assert_ok(bench, bench_mount(bench));
    }
    assert_int_equal(persist_flash_get(&bench->keeper, 2, buf, 100, &len), STATUS_STORE_TOO_LARGE);
    assert_int_equal(persist_flash_put(&bench->keeper, 0, buf, 1), STATUS_INVALID_ARGUMENT);
    assert_int_equal(persist_flash_put(&bench->keeper, PERSIST_FLASH_TAGS + 1, buf, 1), STATUS_INVALID_ARGUMENT);
    assert_int_equal(persist_flash_put(&bench->keeper, 1, buf, PERSIST_FLASH_BLOB_MAX + 1), STATUS_INVALID_ARGUMENT);
    assert_int_equal(persist_flash_log_append(&bench->keeper, buf, 0), STATUS_INVALID_ARGUMENT);
    assert_int_equal(persist_flash_log_append(&bench->keeper, buf, PERSIST_FLASH_LOG_ENTRY_MAX + 1),
                     STATUS_INVALID_ARGUMENT);
    bench_free(bench);
}

static void test_layout_refused(void **state)
{
    (void)state;
    struct bench *bench = bench_new(2, 2);
    struct persist_flash keeper;
    assert_int_equal(persist_flash_mount(&keeper, &bench->flash.hal, 0, 1, NULL), STATUS_STORE_LAYOUT);
    assert_int_equal(persist_flash_mount(&keeper, &bench->flash.hal, SECTORS - 1, 2, NULL), STATUS_STORE_LAYOUT);
    assert_int_equal(persist_flash_mount(&keeper, &bench->flash.hal, SECTORS + 1, 2, NULL), STATUS_STORE_LAYOUT);
    struct hal_storage small = bench->flash.hal;
    small.sector_size = 1024; /* too small for all the tags' blobs */
    assert_int_equal(persist_flash_mount(&keeper, &small, 0, 4, NULL), STATUS_STORE_LAYOUT);
    bench_free(bench);
}

static void test_foreign_bytes_mount_empty(void **state)
{
    (void)state;
    struct bench *bench = bench_new(3, 3);
    power_cut_storage_fill_random(&bench->flash);
    memset(bench->bytes, OUTSIDE_BYTE, FIRST_SECTOR * SECTOR);
    memset(bench->bytes + (FIRST_SECTOR + 3) * SECTOR, OUTSIDE_BYTE, (SECTORS - FIRST_SECTOR - 3) * SECTOR);
    assert_ok(bench, bench_mount(bench));
    struct log_contents *log = calloc(1, sizeof *log);
    read_log(bench, log);
    assert_int_equal(log->count, 0);
    uint8_t value[PERSIST_FLASH_BLOB_MAX], entry[PERSIST_FLASH_LOG_ENTRY_MAX];
    assert_ok(bench, persist_flash_put(&bench->keeper, 1, value, blob_value(1, 5, value)));
    assert_ok(bench, persist_flash_log_append(&bench->keeper, entry, entry_value(1, entry)));
    assert_ok(bench, bench_mount(bench));
    assert_blob(bench, 1, 5);
    read_log(bench, log);
    assert_int_equal(log->count, 1);
    free(log);
    bench_free(bench);
}

/* Thousands of updates of every tag on the smallest region: each sector is erased and reused hundreds of times,
 * every tag keeps its newest value, and no sector is erased per write. */
static void test_many_updates_across_sector_wraps(void **state)
{
    (void)state;
    struct bench *bench = bench_new(2, 4);
    assert_ok(bench, bench_mount(bench));
    uint32_t version[PERSIST_FLASH_TAGS + 1] = {0};
    uint8_t value[PERSIST_FLASH_BLOB_MAX];
    for (uint32_t i = 1; i <= 3000; i++) {
        unsigned tag = 1 + mix(i) % 2; /* tags 1 and 2 change often; 3 and up only at first */
        if (i <= PERSIST_FLASH_TAGS)
            tag = i;
        assert_ok(bench, persist_flash_put(&bench->keeper, tag, value, blob_value(tag, i, value)));
        version[tag] = i;
        if (i % 97 == 0) {
            assert_ok(bench, bench_mount(bench));
            for (unsigned t = 1; t <= PERSIST_FLASH_TAGS; t++)
                assert_blob(bench, t, version[t]);
        }
    }
    for (unsigned t = 1; t <= PERSIST_FLASH_TAGS; t++)
        assert_blob(bench, t, version[t]);
    print_message("3000 updates: %lu programs, %lu erases\n", (unsigned long)bench->flash.programs,
                  (unsigned long)bench->flash.erases);
    assert_true(bench->flash.erases < 3000 / 4);
    bench_free(bench);
}

/* The log ring wraps many times; it always holds a run of the newest entries, oldest first, and loses at most the
 * entries of one sector beyond the region's capacity. The blobs survive the churn. */
static void test_log_ring_wraps_keeping_the_newest(void **state)
{
    (void)state;
    struct bench *bench = bench_new(3, 5);
    assert_ok(bench, bench_mount(bench));
    struct log_contents *log = calloc(1, sizeof *log);
    uint8_t value[PERSIST_FLASH_BLOB_MAX], entry[PERSIST_FLASH_LOG_ENTRY_MAX];
    assert_ok(bench, persist_flash_put(&bench->keeper, 1, value, blob_value(1, 1, value)));
    assert_ok(bench, persist_flash_put(&bench->keeper, 3, value, blob_value(3, 1, value)));
    unsigned least_kept = ~0u;
    for (uint32_t n = 1; n <= 2000; n++) {
        assert_ok(bench, persist_flash_log_append(&bench->keeper, entry, entry_value(n, entry)));
        if (n % 50 != 0)
            continue;
        if (n % 200 == 0)
            assert_ok(bench, bench_mount(bench));
        read_log(bench, log);
        assert_true(log->count > 0);
        assert_int_equal(log->numbers[log->count - 1], n);
        for (unsigned i = 1; i < log->count; i++)
            assert_int_equal(log->numbers[i], log->numbers[i - 1] + 1);
        if (n > 300 && log->count < least_kept)
            least_kept = log->count;
        assert_blob(bench, 1, 1);
        assert_blob(bench, 3, 1);
    }
    /* Entries of up to 144 bytes take at most 160 on flash: two of three sectors hold at least 2 * 25 minus the
     * room of the two copied blobs. */
    print_message("log ring of 3 sectors keeps at least %u entries after wrapping\n", least_kept);
    assert_true(least_kept >= 2 * (SECTOR / 160) - 8);
    /* A read that skips. */
    unsigned total = persist_flash_log_read(&bench->keeper, 0, NULL, NULL);
    assert_int_equal(total, log->count);
    free(log);
    bench_free(bench);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Power cut at every program and erase.
 *
 * The workload: op i puts a new version of a blob (one op in four, tags in turn) or appends log entry i. It runs
 * from an empty region through several wraps of the ring. For every operation k of the whole run and three tear
 * patterns, the run is repeated from the start with the power cut in operation k; after the restart the region
 * mounts, every tag holds its last acknowledged version or the one being put, the log is a run of entries that
 * ends at the last acknowledged entry or the one being appended and has lost nothing the uncut run still keeps
 * after that op, and the rest of the workload then runs to the end.
 */
#define WORKLOAD_OPS 140u

static bool op_is_put(uint32_t i)
{
    return i % 4 == 0;
}

static unsigned op_tag(uint32_t i)
{
    return 1 + (i / 4) % PERSIST_FLASH_TAGS;
}

static enum status run_op(struct persist_flash *keeper, uint32_t i)
{
    uint8_t bytes[PERSIST_FLASH_BLOB_MAX];
    if (op_is_put(i))
        return persist_flash_put(keeper, op_tag(i), bytes, blob_value(op_tag(i), i, bytes));
    return persist_flash_log_append(keeper, bytes, entry_value(i, bytes));
}

/* The version of tag acknowledged before op i (0: none). */
static uint32_t acknowledged_version(unsigned tag, uint32_t i)
{
    uint32_t version = 0;
    for (uint32_t j = 0; j < i; j++)
        if (op_is_put(j) && op_tag(j) == tag)
            version = j;
    return version;
}

static bool tag_has_version(unsigned tag, uint32_t i)
{
    for (uint32_t j = 0; j < i; j++)
        if (op_is_put(j) && op_tag(j) == tag)
            return true;
    return false;
}

static uint32_t last_log_op_before(uint32_t i)
{
    while (i > 0 && op_is_put(--i))
        ;
    return op_is_put(i) ? UINT32_MAX : i;
}

/* The oldest entry the uncut run keeps after each op. */
struct reference {
    uint32_t oldest_after[WORKLOAD_OPS];
    uint64_t operations;
};

static void build_reference(uint32_t region_sectors, struct reference *reference)
{
    struct bench *bench = bench_new(region_sectors, 77);
    struct log_contents *log = calloc(1, sizeof *log);
    assert_ok(bench, bench_mount(bench));
    power_cut_storage_arm(&bench->flash, 0);
    for (uint32_t i = 0; i < WORKLOAD_OPS; i++) {
        assert_ok(bench, run_op(&bench->keeper, i));
        read_log(bench, log);
        reference->oldest_after[i] = log->count > 0 ? log->numbers[0] : UINT32_MAX;
    }
    reference->operations = bench->flash.operations;
    free(log);
    bench_free(bench);
}

static void check_after_cut(struct bench *bench, uint32_t cut_op, const struct reference *reference,
                            struct log_contents *log)
{
    for (unsigned tag = 1; tag <= PERSIST_FLASH_TAGS; tag++) {
        bool being_put = op_is_put(cut_op) && op_tag(cut_op) == tag;
        uint8_t got[PERSIST_FLASH_BLOB_MAX], old[PERSIST_FLASH_BLOB_MAX], new[PERSIST_FLASH_BLOB_MAX];
        size_t got_len = 0;
        enum status status = persist_flash_get(&bench->keeper, tag, got, sizeof got, &got_len);
        bool had = tag_has_version(tag, cut_op);
        size_t old_len = had ? blob_value(tag, acknowledged_version(tag, cut_op), old) : 0;
        size_t new_len = being_put ? blob_value(tag, cut_op, new) : 0;
        bool is_old = status == STATUS_OK && had && got_len == old_len && memcmp(got, old, old_len) == 0;
        bool is_new = status == STATUS_OK && being_put && got_len == new_len && memcmp(got, new, new_len) == 0;
        bool is_none = status == STATUS_STORE_NO_IMAGE && !had;
        if (!is_old && !is_new && !is_none) {
            print_error("tag %u after a cut in op %u: status %s, %lu bytes\n", tag, (unsigned)cut_op,
                        status_name(status), (unsigned long)got_len);
            fail();
        }
    }
    read_log(bench, log);
    uint32_t last_acknowledged = last_log_op_before(cut_op);
    if (log->count == 0) {
        assert_int_equal(last_acknowledged, UINT32_MAX);
        return;
    }
    uint32_t newest = log->numbers[log->count - 1];
    bool contiguous = true;
    for (unsigned i = 1; i < log->count; i++)
        contiguous =
            contiguous && log->numbers[i] == log->numbers[i - 1] + 1 + (op_is_put(log->numbers[i - 1] + 1) ? 1 : 0);
    if (!contiguous || !(newest == last_acknowledged || (newest == cut_op && !op_is_put(cut_op)))) {
        print_error("log after a cut in op %u: %u entries, %lu to %lu%s\n", (unsigned)cut_op, log->count,
                    (unsigned long)log->numbers[0], (unsigned long)newest, contiguous ? "" : ", with gaps");
        fail();
    }
    if (cut_op < WORKLOAD_OPS)
        assert_true(log->numbers[0] <= reference->oldest_after[cut_op]);
}

/* Power is cut at every program and erase, or with AIRSWD_POWER_CUT_STRIDE=N at every N-th: the run on the
 * ESP8266's CPU under QEMU (tests/lx106), where each point costs fifteen times as much, takes every 4th. The code
 * that runs is the same; every point is the host's run. */
static unsigned power_cut_stride(void)
{
    const char *text = getenv("AIRSWD_POWER_CUT_STRIDE");
    unsigned long stride = text != NULL ? strtoul(text, NULL, 10) : 1;
    return stride > 0 && stride < 1000 ? (unsigned)stride : 1;
}

static unsigned power_cut_run(uint32_t region_sectors)
{
    struct reference *reference = calloc(1, sizeof *reference);
    struct log_contents *log = calloc(1, sizeof *log);
    build_reference(region_sectors, reference);
    unsigned points = 0;
    for (uint64_t cut_at = 1;; cut_at += power_cut_stride()) {
        bool cut = false;
        for (uint32_t tear = 0; tear < 3; tear++) {
            struct bench *bench = bench_new(region_sectors, (uint32_t)(cut_at * 3 + tear + 1));
            assert_ok(bench, bench_mount(bench));
            power_cut_storage_arm(&bench->flash, cut_at);
            uint32_t op = 0;
            while (op < WORKLOAD_OPS && run_op(&bench->keeper, op) == STATUS_OK)
                op++;
            if (!bench->flash.cut) {
                assert_int_equal(op, WORKLOAD_OPS);
                bench_free(bench);
                break;
            }
            cut = true;
            points++;
            power_cut_storage_restart(&bench->flash);
            assert_ok(bench, bench_mount(bench));
            check_after_cut(bench, op, reference, log);
            /* The rest of the workload runs to the end, from the interrupted op again unless it was a log entry
             * that made it (a put of the same version twice does no harm). */
            uint32_t resume = log->count > 0 && log->numbers[log->count - 1] == op ? op + 1 : op;
            for (uint32_t i = resume; i < WORKLOAD_OPS; i++)
                assert_ok(bench, run_op(&bench->keeper, i));
            assert_ok(bench, bench_mount(bench));
            check_after_cut(bench, WORKLOAD_OPS, reference, log);
            bench_free(bench);
        }
        if (!cut)
            break;
    }
    print_message("region of %u sectors: %lu programs and erases in the workload, %u cut points tested (every %u)\n",
                  (unsigned)region_sectors, (unsigned long)reference->operations, points, power_cut_stride());
    free(log);
    free(reference);
    return points;
}

/* Power fails again and again while the mount finishes an interrupted copy forward: each cut leaves more garbage in
 * the sector until the copies no longer fit, and the mount starts that sector afresh. Nothing acknowledged is lost. */
static void test_power_cuts_during_mount_recovery(void **state)
{
    (void)state;
    struct reference *reference = calloc(1, sizeof *reference);
    struct log_contents *log = calloc(1, sizeof *log);
    build_reference(2, reference);
    unsigned recoveries_cut = 0, rounds_total = 0;
    for (uint64_t cut_at = 1; cut_at <= reference->operations; cut_at += power_cut_stride()) {
        struct bench *bench = bench_new(2, (uint32_t)cut_at);
        assert_ok(bench, bench_mount(bench));
        power_cut_storage_arm(&bench->flash, cut_at);
        uint32_t op = 0;
        while (op < WORKLOAD_OPS && run_op(&bench->keeper, op) == STATUS_OK)
            op++;
        assert_true(bench->flash.cut);
        uint32_t random_state = (uint32_t)cut_at;
        for (unsigned round = 0; round < 12; round++) {
            power_cut_storage_restart(&bench->flash);
            random_state = mix(random_state + round);
            power_cut_storage_arm(&bench->flash, 1 + random_state % 24);
            enum status status = bench_mount(bench);
            rounds_total++;
            if (!bench->flash.cut) {
                assert_int_equal(status, STATUS_OK);
                break;
            }
            recoveries_cut++;
        }
        power_cut_storage_restart(&bench->flash);
        assert_ok(bench, bench_mount(bench));
        check_after_cut(bench, op, reference, log);
        assert_ok(bench, run_op(&bench->keeper, op + 1 < WORKLOAD_OPS ? op + 1 : 1));
        bench_free(bench);
    }
    print_message("%lu cut points (every %u), %u mounts of which %u were cut while recovering\n",
                  (unsigned long)reference->operations, power_cut_stride(), rounds_total, recoveries_cut);
    assert_true(recoveries_cut > 0);
    free(log);
    free(reference);
}

static void test_power_cut_at_every_program_and_erase(void **state)
{
    (void)state;
    unsigned points = power_cut_run(2) + power_cut_run(3);
    print_message("power cut points tested in all: %u\n", points);
    assert_true(points > 1000 / power_cut_stride());
}

/* ---------------------------------------------------------------------------------------------------------------
 * The service's persistence on top.
 */
static const struct service_persist *adapter_mount(struct bench *bench, struct service_persist_flash *persist)
{
    assert_status_ok(&persist->report,
                     service_persist_flash_mount(persist, &bench->flash.hal, FIRST_SECTOR, bench->region_sectors));
    return &service_persist_flash_ops;
}

static void test_service_settings_round_trip(void **state)
{
    (void)state;
    struct bench *bench = bench_new(2, 6);
    struct service_persist_flash persist;
    const struct service_persist *ops = adapter_mount(bench, &persist);
    struct service_settings settings = {.swclk_hz = 1, .connect_under_reset = true, .verify = true};
    assert_false(ops->load_settings(&persist, &settings));
    assert_int_equal(settings.swclk_hz, 1); /* untouched */
    for (uint32_t i = 0; i < 400; i++) {
        struct service_settings saved = {
            .swclk_hz = 1000000u + i * 4099u, .connect_under_reset = (i & 1) != 0, .verify = (i & 2) != 0};
        ops->save_settings(&persist, &saved);
        if (i % 50 == 0)
            adapter_mount(bench, &persist);
        struct service_settings loaded = {0};
        assert_true(ops->load_settings(&persist, &loaded));
        assert_int_equal(loaded.swclk_hz, saved.swclk_hz);
        assert_int_equal(loaded.connect_under_reset, saved.connect_under_reset);
        assert_int_equal(loaded.verify, saved.verify);
    }
    print_message("sizeof(struct persist_flash) %lu, sizeof(struct service_persist_flash) %lu\n",
                  (unsigned long)sizeof(struct persist_flash), (unsigned long)sizeof(struct service_persist_flash));
    bench_free(bench);
}

static void test_settings_blob_of_other_versions(void **state)
{
    (void)state;
    struct service_settings defaults = {.swclk_hz = 4000000u, .connect_under_reset = false, .verify = true,
                                        .transport = JOB_TRANSPORT_AUTO};
    /* Older and shorter: only the version and the flags; the clock and the transport (none saved: bits 3-4 clear)
     * keep their defaults. */
    const uint8_t short_blob[2] = {1, 0x01};
    struct service_settings settings = defaults;
    assert_true(service_persist_settings_decode(short_blob, sizeof short_blob, &settings));
    assert_int_equal(settings.swclk_hz, 4000000u);
    assert_int_equal(settings.transport, JOB_TRANSPORT_AUTO);
    assert_true(settings.connect_under_reset);
    assert_false(settings.verify);
    /* Newer and longer: unknown flags and fields are ignored. */
    uint8_t long_blob[40];
    memset(long_blob, 0x77, sizeof long_blob);
    struct service_settings written = {.swclk_hz = 123456u, .connect_under_reset = false, .verify = true};
    service_persist_settings_encode(&written, long_blob);
    long_blob[0] = 9;
    long_blob[1] |= 0xE0;
    settings = defaults;
    assert_true(service_persist_settings_decode(long_blob, sizeof long_blob, &settings));
    assert_int_equal(settings.swclk_hz, 123456u);
    assert_false(settings.connect_under_reset);
    assert_true(settings.verify);
    assert_int_equal(settings.transport, JOB_TRANSPORT_SWD);
    /* Each transport comes back as it was saved. */
    for (uint8_t transport = JOB_TRANSPORT_SWD; transport <= JOB_TRANSPORT_AUTO; transport++) {
        written.transport = transport;
        service_persist_settings_encode(&written, long_blob);
        settings = defaults;
        assert_true(service_persist_settings_decode(long_blob, sizeof long_blob, &settings));
        assert_int_equal(settings.transport, transport);
    }
    /* Not settings at all. */
    const uint8_t version_zero[8] = {0};
    assert_false(service_persist_settings_decode(version_zero, sizeof version_zero, &settings));
    assert_false(service_persist_settings_decode(short_blob, 0, &settings));
}

static void test_service_log_round_trip(void **state)
{
    (void)state;
    struct bench *bench = bench_new(3, 7);
    struct service_persist_flash persist;
    const struct service_persist *ops = adapter_mount(bench, &persist);
    struct service_log_line lines[SERVICE_LOG_LINES];
    assert_int_equal(ops->load_log(&persist, lines, SERVICE_LOG_LINES), 0);
    for (uint32_t seq = 1; seq <= 300; seq++) {
        struct service_log_line line = {.seq = seq, .time_s = seq * 3};
        if (seq % 7 == 0)
            memset(line.text, 'x', SERVICE_LOG_TEXT_MAX - 1); /* the longest text */
        else
            snprintf(line.text, sizeof line.text, "line %lu", (unsigned long)seq);
        ops->append_log(&persist, &line);
    }
    adapter_mount(bench, &persist);
    unsigned count = ops->load_log(&persist, lines, SERVICE_LOG_LINES);
    assert_int_equal(count, SERVICE_LOG_LINES);
    for (unsigned i = 0; i < count; i++) {
        uint32_t seq = 300 - SERVICE_LOG_LINES + 1 + i;
        assert_int_equal(lines[i].seq, seq);
        assert_int_equal(lines[i].time_s, seq * 3);
        if (seq % 7 == 0) {
            assert_int_equal(strlen(lines[i].text), SERVICE_LOG_TEXT_MAX - 1);
        } else {
            char expected[32];
            snprintf(expected, sizeof expected, "line %lu", (unsigned long)seq);
            assert_string_equal(lines[i].text, expected);
        }
    }
    assert_int_equal(ops->load_log(&persist, lines, 5), 5);
    assert_int_equal(lines[4].seq, 300);
    bench_free(bench);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_round_trip_for_every_tag),
        cmocka_unit_test(test_layout_refused),
        cmocka_unit_test(test_foreign_bytes_mount_empty),
        cmocka_unit_test(test_many_updates_across_sector_wraps),
        cmocka_unit_test(test_log_ring_wraps_keeping_the_newest),
        cmocka_unit_test(test_power_cut_at_every_program_and_erase),
        cmocka_unit_test(test_power_cuts_during_mount_recovery),
        cmocka_unit_test(test_service_settings_round_trip),
        cmocka_unit_test(test_settings_blob_of_other_versions),
        cmocka_unit_test(test_service_log_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * main.c - airswdd --target sim:PART[,state=FILE] --listen 127.0.0.1:PORT --state-dir DIR [--store-size SIZE]
 *         [--factory-reset] [--hostname NAME] [--setup-code-file FILE]
 *
 * The staging store lives in DIR/store.bin, of --store-size bytes; the target is opened as the airswd command line opens it (cli_target.c,
 * shared with tools/airswd). The HTTP loop runs on the main thread and jobs on a worker thread. SIGTERM or SIGINT:
 * the running job is cancelled at its next block, the thread joined, the sockets closed, the simulated chip's state
 * saved; exit status 0.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "airswdd.h"
#include "web_assets.h"
#include "cli.h"
#include "http_server.h"
#include "device/device.h"
#include "port_file_storage.h"
#include "port_firmware_slot.h"
#include "port_host.h"
#include "port_persist.h"
#include "secure/secure_auth.h"

/* A connection holds at most one exchange at a time: with as many exchanges, slow clients holding some can never
 * refuse a request that got a connection (airswd_config.h). */
_Static_assert(API_EXCHANGES >= HTTP_SERVER_CONNECTIONS, "an API exchange for every HTTP connection");

#define AIRSWDD_VERSION "0.4.0"
/* The staging store's default size: the partition a 4 MB ESP8266 board gives it (0x210000 bytes), so that the
 * daemon takes the images the device takes (docs/store.md). */
#define AIRSWDD_STORE_BYTES_DEFAULT (2112u * 1024u)

struct airswdd_options {
    const char *target;
    uint16_t port;
    const char *state_dir;
    uint32_t store_sectors;
    bool factory_reset;
    const char *trust_keys[SECURE_IMAGE_MAX_KEYS];
    unsigned trust_key_count;
    const char *image_key;
    const char *firmware_slot;
    const char *hostname;
    const char *setup_code_file;
};

static void usage(FILE *out)
{
    fprintf(out, "usage: airswdd --target sim:PART[,state=FILE][,uart|auto] --listen 127.0.0.1:PORT --state-dir DIR "
                    "[--store-size SIZE] [--factory-reset] [--trust-key PUB.pem ...] [--image-key KEY.hex]\n"
                    "  --store-size  the staging store's file DIR/store.bin, in bytes or with K or M (default 2112K,\n"
                    "                a 4 MB ESP8266's partition); whole 4 KB sectors. A store.bin of another size is\n"
                    "                replaced by an empty store of this size (its images are lost)\n"
                    "  --factory-reset  empty the store and forget setup: the admin passphrase, debug mode, the keys\n"
                    "  --trust-key   a public key whose signed containers the daemon flashes (up to %d), kept with\n"
                    "                those setup gave\n"
                    "  --image-key   the AES-128 key of encrypted containers (32 hex digits, `airswd keygen --aes`)\n"
                    "  --firmware-slot FILE  take the programmer's own firmware (POST /api/v1/firmware) into FILE,\n"
                    "                checked as the ESP8266 checks it; airswdd never runs it\n"
                    "  --hostname NAME  a name the daemon answers to in Host besides IP addresses and localhost\n"
                    "                (any other name is refused: 421)\n"
                    "  --setup-code-file FILE  also write the setup code (printed at start while setup is open) to\n"
                    "                FILE, readable by its owner only; removed once setup is done\n",
            SECURE_IMAGE_MAX_KEYS);
}

static bool parse_listen(const char *text, uint16_t *port)
{
    const char *prefix = "127.0.0.1:";
    if (strncmp(text, prefix, strlen(prefix)) != 0) {
        fprintf(stderr, "airswdd: --listen takes 127.0.0.1:PORT (the daemon serves the loopback only for now)\n");
        return false;
    }
    char *end;
    unsigned long value = strtoul(text + strlen(prefix), &end, 10);
    if (*end != '\0' || end == text + strlen(prefix) || value > 65535) {
        fprintf(stderr, "airswdd: bad port in --listen %s\n", text);
        return false;
    }
    *port = (uint16_t)value;
    return true;
}

/* SIZE in bytes, or with K (1024) or M (1024 K); whole sectors, room for the journal and one image sector. */
static bool parse_store_size(const char *text, uint32_t *sectors)
{
    char *end;
    unsigned long long value = strtoull(text, &end, 10);
    unsigned long long unit = 1;
    if (end != text && (*end == 'K' || *end == 'k'))
        unit = 1024;
    else if (end != text && (*end == 'M' || *end == 'm'))
        unit = 1024 * 1024;
    if (unit != 1)
        end++;
    unsigned long long sector = PORT_FILE_STORAGE_SECTOR_SIZE;
    unsigned long long min = (AIRSWD_STORE_JOURNAL_SECTORS + 1ull) * sector, max = UINT32_MAX / sector * sector;
    bool digits = end != text && text[0] >= '0' && text[0] <= '9';
    if (digits && *end == '\0' && value <= max / unit)
        value *= unit;
    else
        value = 0;
    if (value % sector != 0 || value < min || value > max) {
        fprintf(stderr,
                "airswdd: --store-size %s: give whole 4 KB sectors from %lluK to %lluK, in bytes or with K or M "
                "(such as 2112K or 4M)\n",
                text, min / 1024, max / 1024);
        return false;
    }
    *sectors = (uint32_t)(value / PORT_FILE_STORAGE_SECTOR_SIZE);
    return true;
}

static bool parse_options(int argc, char **argv, struct airswdd_options *options)
{
    *options = (struct airswdd_options){.target = "sim",
                                        .store_sectors = AIRSWDD_STORE_BYTES_DEFAULT / PORT_FILE_STORAGE_SECTOR_SIZE};
    bool listen = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(arg, "--target") == 0 && has_value) {
            options->target = argv[++i];
        } else if (strcmp(arg, "--listen") == 0 && has_value) {
            if (!parse_listen(argv[++i], &options->port))
                return false;
            listen = true;
        } else if (strcmp(arg, "--state-dir") == 0 && has_value) {
            options->state_dir = argv[++i];
        } else if (strcmp(arg, "--store-size") == 0 && has_value) {
            if (!parse_store_size(argv[++i], &options->store_sectors))
                return false;
        } else if (strcmp(arg, "--factory-reset") == 0) {
            options->factory_reset = true;
        } else if (strcmp(arg, "--trust-key") == 0 && has_value && options->trust_key_count < SECURE_IMAGE_MAX_KEYS) {
            options->trust_keys[options->trust_key_count++] = argv[++i];
        } else if (strcmp(arg, "--image-key") == 0 && has_value) {
            options->image_key = argv[++i];
        } else if (strcmp(arg, "--firmware-slot") == 0 && has_value) {
            options->firmware_slot = argv[++i];
        } else if (strcmp(arg, "--hostname") == 0 && has_value) {
            options->hostname = argv[++i];
        } else if (strcmp(arg, "--setup-code-file") == 0 && has_value) {
            options->setup_code_file = argv[++i];
        } else {
            usage(stderr);
            return false;
        }
    }
    if (!listen || options->state_dir == NULL) {
        usage(stderr);
        return false;
    }
    return true;
}

/* Keys given on the command line join what setup established (and are kept with it): the trusted public keys (PEM
 * or DER files) and the image key (a file of 32 hex digits). */
static bool provision_keys(const struct airswdd_options *options, struct service *service)
{
    for (unsigned i = 0; i < options->trust_key_count; i++) {
        uint8_t text[4096], point[SECURE_P256_POINT_SIZE], id[SECURE_KEY_ID_SIZE];
        FILE *file = fopen(options->trust_keys[i], "rb");
        size_t len = file ? fread(text, 1, sizeof text - 1, file) : 0;
        if (file)
            fclose(file);
        text[len] = '\0';
        struct status_report report = {0};
        if (len == 0 || !secure_parse_public_key(text, len, point, id)) {
            fprintf(stderr, "airswdd: %s is not a P-256 public key (PEM or DER, as `airswd keygen` writes)\n",
                    options->trust_keys[i]);
            return false;
        }
        if (service_security_add_key(service, point, &report) != STATUS_OK) {
            fprintf(stderr, "airswdd: %s: %s\n", options->trust_keys[i], report.detail);
            return false;
        }
    }
    if (options->image_key != NULL) {
        char hex[80] = "";
        uint8_t key[SECURE_AES_KEY_SIZE];
        FILE *file = fopen(options->image_key, "r");
        bool ok = file != NULL && fscanf(file, "%79s", hex) == 1 && strlen(hex) == 2 * SECURE_AES_KEY_SIZE &&
                  secure_auth_hex_decode(hex, key, sizeof key);
        if (file)
            fclose(file);
        if (!ok) {
            fprintf(stderr, "airswdd: %s does not hold an AES-128 key as 32 hex digits\n", options->image_key);
            return false;
        }
        struct status_report report = {0};
        if (service_security_set_image_key(service, key, &report) != STATUS_OK) {
            fprintf(stderr, "airswdd: --image-key %s: %s\n", options->image_key, report.detail);
            return false;
        }
    }
    return true;
}

/* The staging store's file in the state directory; device_start mounts (or formats) what it holds. A file of
 * another size is replaced (port_file_storage_open), and the daemon says so. */
static bool open_storage(struct port_file_storage *storage, const struct airswdd_options *options)
{
    if (mkdir(options->state_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "airswdd: cannot create %s: %s\n", options->state_dir, strerror(errno));
        return false;
    }
    char path[512];
    snprintf(path, sizeof path, "%s/store.bin", options->state_dir);
    struct status_report report = {0};
    if (port_file_storage_open(storage, path, options->store_sectors, &report) != STATUS_OK) {
        char text[AIRSWD_STATUS_DETAIL_MAX + 256];
        fprintf(stderr, "airswdd: %s: %s\n", path, status_format(&report, text, sizeof text));
        return false;
    }
    if (storage->replaced_sectors != 0)
        fprintf(stderr,
                "airswdd: staging store: %s was %luK and the store is now %luK (--store-size): starting an empty "
                "store; the images it held are gone\n",
                path, (unsigned long)storage->replaced_sectors * (PORT_FILE_STORAGE_SECTOR_SIZE / 1024),
                (unsigned long)options->store_sectors * (PORT_FILE_STORAGE_SECTOR_SIZE / 1024));
    return true;
}

/* The setup code for scripts, readable by the owner only; without setup open, no file (an old one is removed). */
static bool write_setup_code(const char *path, const char *code)
{
    (void)remove(path);
    if (code == NULL)
        return true;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    FILE *file = fd >= 0 ? fdopen(fd, "w") : NULL;
    bool ok = file != NULL && fprintf(file, "%s\n", code) > 0;
    if (file != NULL)
        ok = fclose(file) == 0 && ok;
    else if (fd >= 0)
        close(fd);
    if (!ok)
        fprintf(stderr, "airswdd: --setup-code-file %s: %s\n", path, strerror(errno));
    return ok;
}

static void print_notice(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "airswdd: %s\n", line);
}

/* Large: in static storage, one daemon per process. */
static struct cli_target target;
static struct port_file_storage storage;
static struct device device;
static struct http_server server;
static struct airswdd_worker worker;
static struct port_persist persist; /* the settings and the log, in the state directory */
static struct port_firmware_slot firmware_slot;
static pthread_mutex_t service_mutex = PTHREAD_MUTEX_INITIALIZER;

/* After the jobs: the simulated chip runs its firmware for a while (what it prints shows as "uart: " lines). */
static void airswdd_idle(void *ctx)
{
    (void)ctx;
    if (target.sim)
        airswdd_sim_idle(&device.service, target.sim, 200);
}

int main(int argc, char **argv)
{
    struct airswdd_options options;
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout); /* asked for: not an error */
        return 0;
    }
    if (!parse_options(argc, argv, &options))
        return 2;
    struct hal_system host;
    port_host_system(&host);

    struct cli_options target_options = {.target = options.target};
    if (!cli_target_open(&target, &target_options))
        return 1;
    target.keep_state = true; /* the chip's flash as the jobs left it is saved at exit */
    if (target.sim)
        airswdd_uart_attach(target.sim, target.uart != NULL ? &target.sim_uart : NULL);
    if (!open_storage(&storage, &options)) {
        cli_target_close(&target);
        return 1;
    }
    struct status_report report = {0};
    if (options.firmware_slot != NULL &&
        port_firmware_slot_open(&firmware_slot, options.firmware_slot, &report) != STATUS_OK) {
        char text[AIRSWD_STATUS_DETAIL_MAX + 256];
        fprintf(stderr, "airswdd: --firmware-slot %s: %s\n", options.firmware_slot,
                status_format(&report, text, sizeof text));
        port_file_storage_close(&storage);
        cli_target_close(&target);
        return 1;
    }
    const struct device_config config = {
        .system = &host,
        .target = {.swd = target.swd_pins, .system = target.system, .pins = target.pins,
                   .transport = target.transport, .uart = target.uart, .uart_baud = target.uart_baud},
        .target_name = options.target,
        .version = AIRSWDD_VERSION,
        .store_storage = &storage.hal,
        .persist = port_persist_init(&persist, options.state_dir),
        .persist_ctx = &persist,
        .lock = airswdd_lock,
        .unlock = airswdd_unlock,
        .lock_ctx = &service_mutex,
        .job_queued = airswdd_worker_notify,
        .job_queued_ctx = &worker,
        .files = web_asset_api_file,
        .factory_reset = options.factory_reset,
        .factory_reset_how = "a restart with --factory-reset",
        .notice = print_notice,
        .firmware = options.firmware_slot != NULL ? &firmware_slot.port : NULL,
    };
    if (device_start(&device, &config, &report) != STATUS_OK) {
        char text[AIRSWD_STATUS_DETAIL_MAX + 256];
        fprintf(stderr, "airswdd: staging store: %s\n", status_format(&report, text, sizeof text));
        port_file_storage_close(&storage);
        cli_target_close(&target);
        return 1;
    }
    if ((options.hostname != NULL && !api_add_host_name(&device.api, options.hostname)) ||
        (options.setup_code_file != NULL && !write_setup_code(options.setup_code_file, api_setup_code(&device.api)))) {
        port_file_storage_close(&storage);
        cli_target_close(&target);
        return 1;
    }
    if (!provision_keys(&options, &device.service)) {
        port_file_storage_close(&storage);
        cli_target_close(&target);
        return 2;
    }

    port_host_catch_interrupts();
    worker.idle = airswdd_idle;
    int status = 1;
    if (http_server_open(&server, &device.api.http, &host, INADDR_LOOPBACK, options.port) != 0) {
        fprintf(stderr, "airswdd: cannot listen on 127.0.0.1:%u: %s\n", options.port, strerror(errno));
    } else if (!airswdd_worker_start(&worker, &device)) {
        fprintf(stderr, "airswdd: cannot start the job thread\n");
        http_server_close(&server);
    } else {
        service_log(&device.service, "airswdd %s serving %s (%s)", AIRSWDD_VERSION, options.target,
                    target.description);
        printf("airswdd: listening on http://127.0.0.1:%u\n", http_server_port(&server));
        fflush(stdout);
        airswdd_worker_notify(&worker); /* the firmware already in the chip runs a little */
        status = 0;
        bool code_file_left = options.setup_code_file != NULL && api_setup_code(&device.api) != NULL;
        while (!port_host_cancel_requested()) {
            if (http_server_poll(&server, 100) < 0) {
                fprintf(stderr, "airswdd: the listening socket failed\n");
                status = 1;
                break;
            }
            device_pump(&device);
            airswdd_uart_drain(&device.service);
            if (code_file_left && api_setup_code(&device.api) == NULL) {
                (void)remove(options.setup_code_file); /* setup is done: the code is spent */
                code_file_left = false;
            }
        }
        fprintf(stderr, "airswdd: shutting down\n");
        device_stop(&device);
        airswdd_worker_stop(&worker);
        airswdd_uart_drain(&device.service);
        device_pump(&device);
        http_server_close(&server);
    }
    if (options.firmware_slot != NULL)
        port_firmware_slot_close(&firmware_slot);
    port_file_storage_close(&storage);
    cli_target_close(&target);
    return status;
}

/*
 * main.c - airswdd --target sim:PART[,state=FILE] --listen ADDRESS:PORT --state-dir DIR [--store-size SIZE]
 *         [--factory-reset] [--hostname NAME] [--setup-code-file FILE] [--mdns-port N] [--no-mdns]
 *
 * The staging store lives in DIR/store.bin, of --store-size bytes; the target is opened as the airswd command line opens it (cli_target.c,
 * shared with tools/airswd). The HTTP loop runs on the main thread and jobs on a worker thread. SIGTERM or SIGINT:
 * the running job is cancelled at its next block, the thread joined, the sockets closed, the simulated chip's state
 * saved; exit status 0.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "airswdd.h"
#include "airswdd_console.h"
#include "airswdd_mdns.h"
#include "mdns_browse.h"
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

/* The port Black Magic Probe firmwares for the ESP8266 serve GDB on. */
#define AIRSWDD_GDB_PORT_DEFAULT 2022
/* The staging store's default size: the partition a 4 MB ESP8266 board gives it (0x210000 bytes), so that the
 * daemon takes the images the device takes (docs/store.md). */
#define AIRSWDD_STORE_BYTES_DEFAULT (2112u * 1024u)

struct airswdd_options {
    const char *target;
    uint32_t address; /* IPv4, host byte order */
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
    uint16_t gdb_port;
    uint16_t console_port, rfc2217_port;
    bool mdns_port_given, no_mdns;
    uint16_t mdns_port;
};

static void usage(FILE *out)
{
    fprintf(out, "usage: airswdd --target sim:PART[,state=FILE][,uart|auto] --listen ADDRESS:PORT --state-dir DIR "
                    "[--store-size SIZE] [--factory-reset] [--trust-key PUB.pem ...] [--image-key KEY.hex]\n"
                    "  --listen      127.0.0.1:PORT serves this host only, a LAN address or 0.0.0.0 the network\n"
                    "                (every request that changes something is signed); PORT 0: any free port\n"
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
                    "                (any other name is refused: 421); also its mDNS instance and host name\n"
                    "                (NAME.local, which it answers to as well); without it, the host's name\n"
                    "  --setup-code-file FILE  also write the setup code (printed at start while setup is open) to\n"
                    "                FILE, readable by its owner only; removed once setup is done\n"
                    "  --gdb-port N  the GDB server's port, on --listen's address (default 2022; 0: the system picks one), open\n"
                    "                only while debug mode is on (docs/gdb.md)\n"
                    "  --console-port N  the target's USART1 as raw bytes over TCP, on --listen's address\n"
                    "                (default 2323; 0: the system picks one), open only while debug mode is on\n"
                    "                (docs/console.md)\n"
                    "  --rfc2217-port N  the same console as an RFC 2217 port (default 2217), for pyserial's\n"
                    "                rfc2217:// URLs, miniterm and pio device monitor\n"
                    "  --mdns-port N  answer mDNS queries (PTR, SRV, TXT, A of _http._tcp.local, with TXT\n"
                    "                airswd=VERSION: `airswd list`) by unicast on this UDP port of --listen's\n"
                    "                address instead of the multicast group 224.0.0.251:5353 (0: the system picks\n"
                    "                one, printed at start). Without it the daemon answers on the group when\n"
                    "                --listen is not a loopback address, and not at all on the loopback\n"
                    "  --no-mdns     no mDNS at all\n",
            SECURE_IMAGE_MAX_KEYS);
}

/* --listen ADDRESS:PORT: an IPv4 address of this host (127.0.0.1 for the loopback only, a LAN address, 0.0.0.0 for
 * every one) or localhost. Every request that changes something or reads the target is authenticated, so a LAN
 * address is as safe as the loopback (docs/security.md). */
static bool parse_listen(const char *text, uint32_t *address, uint16_t *port)
{
    const char *colon = strrchr(text, ':');
    char host[64];
    size_t host_len = colon != NULL ? (size_t)(colon - text) : 0;
    if (text[0] == '[') {
        fprintf(stderr, "airswdd: --listen %s: IPv6 is not served yet; --listen 0.0.0.0:PORT serves every IPv4 "
                        "address of this host\n", text);
        return false;
    }
    struct in_addr parsed;
    if (colon == NULL || host_len == 0 || host_len >= sizeof host) {
        fprintf(stderr, "airswdd: --listen takes ADDRESS:PORT, such as 127.0.0.1:8080 (this host only), "
                        "192.168.1.20:8080 (one LAN address) or 0.0.0.0:8080 (every address), not '%s'\n", text);
        return false;
    }
    memcpy(host, text, host_len);
    host[host_len] = '\0';
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &parsed) != 1) {
        fprintf(stderr, "airswdd: --listen %s: '%s' is not an IPv4 address (such as 127.0.0.1, 192.168.1.20 or "
                        "0.0.0.0)\n", text, host);
        return false;
    }
    char *end;
    unsigned long value = strtoul(colon + 1, &end, 10);
    if (*end != '\0' || end == colon + 1 || value > 65535) {
        fprintf(stderr, "airswdd: --listen %s: the port is a number from 0 (any free one) to 65535\n", text);
        return false;
    }
    *address = ntohl(parsed.s_addr);
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

/* --gdb-port, --console-port, --rfc2217-port: 0 lets the system pick one. */
static bool parse_port(const char *option, const char *text, uint16_t *port)
{
    char *end;
    unsigned long value = strtoul(text, &end, 10);
    if (*end != '\0' || end == text || value > 65535) {
        fprintf(stderr, "airswdd: %s takes a port number (0 to 65535)\n", option);
        return false;
    }
    *port = (uint16_t)value;
    return true;
}

static bool parse_options(int argc, char **argv, struct airswdd_options *options)
{
    *options = (struct airswdd_options){.target = "sim",
                                        .store_sectors = AIRSWDD_STORE_BYTES_DEFAULT / PORT_FILE_STORAGE_SECTOR_SIZE,
                                        .gdb_port = AIRSWDD_GDB_PORT_DEFAULT,
                                        .console_port = CONSOLE_RAW_PORT_DEFAULT,
                                        .rfc2217_port = CONSOLE_RFC2217_PORT_DEFAULT};
    bool listen = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(arg, "--target") == 0 && has_value) {
            options->target = argv[++i];
        } else if (strcmp(arg, "--listen") == 0 && has_value) {
            if (!parse_listen(argv[++i], &options->address, &options->port))
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
        } else if (strcmp(arg, "--gdb-port") == 0 && has_value) {
            if (!parse_port(arg, argv[++i], &options->gdb_port))
                return false;
        } else if (strcmp(arg, "--console-port") == 0 && has_value) {
            if (!parse_port(arg, argv[++i], &options->console_port))
                return false;
        } else if (strcmp(arg, "--rfc2217-port") == 0 && has_value) {
            if (!parse_port(arg, argv[++i], &options->rfc2217_port))
                return false;
        } else if (strcmp(arg, "--mdns-port") == 0 && has_value) {
            if (!parse_port(arg, argv[++i], &options->mdns_port))
                return false;
            options->mdns_port_given = true;
        } else if (strcmp(arg, "--no-mdns") == 0) {
            options->no_mdns = true;
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
        if (report.status == STATUS_STORE_BUSY) /* the lock on the file: not an upload, another daemon */
            fprintf(stderr, "airswdd: %s: another airswdd serves --state-dir %s: stop it, or give this one a folder "
                            "of its own\n", report.detail, options->state_dir);
        else
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
static struct airswdd_gdb gdb;
static struct airswdd_console console;
static pthread_mutex_t service_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct airswdd_mdns mdns;
static bool mdns_running;

/* After the jobs: the simulated chip runs its firmware for a while (what it prints shows as "uart: " lines). */
static void airswdd_idle(void *ctx)
{
    (void)ctx;
    if (target.sim)
        airswdd_sim_idle(&device.service, target.sim, 200);
}

/* The GDB server's thread; after a session the simulated firmware runs a while, as after a job. */
static bool start_gdb(const struct airswdd_options *options)
{
    gdb = (struct airswdd_gdb){
        .service = &device.service,
        .swd = target.swd_pins,
        .system = target.system,
        .pins = target.pins,
        .sim = target.sim,
        .version = AIRSWD_VERSION,
        .address = options->address,
        .port = options->gdb_port,
        .released = airswdd_worker_notify,
        .released_ctx = &worker,
    };
    return airswdd_gdb_start(&gdb);
}

/* The console bridge's thread: the simulated chip's USART1 on the raw and RFC 2217 ports. */
static bool start_console(const struct airswdd_options *options)
{
    console = (struct airswdd_console){
        .service = &device.service,
        .sim = target.sim,
        .address = options->address,
        .raw_port = options->console_port,
        .rfc2217_port = options->rfc2217_port,
    };
    return airswdd_console_start(&console);
}

/* The mDNS responder: unicast on --mdns-port, else on the group unless --listen is a loopback address (nobody
 * else could reach the daemon there) or --no-mdns. Its instance is --hostname's name, else the host's, and the
 * daemon answers to NAME.local in Host as well. False when --mdns-port was asked for and cannot be served; the
 * group is best effort (a host without multicast still serves HTTP). */
static bool start_mdns(const struct airswdd_options *options, uint16_t http_port)
{
    bool loopback = (options->address >> 24) == 127;
    if (options->no_mdns || (loopback && !options->mdns_port_given))
        return true;
    char host_name[256] = "";
    const char *name = options->hostname;
    if (name == NULL && gethostname(host_name, sizeof host_name - 1) == 0)
        name = host_name;
    mdns = (struct airswdd_mdns){.address = options->address, .multicast = !options->mdns_port_given,
                                 .port = options->mdns_port, .fd = -1};
    if (name == NULL || !airswdd_mdns_identity_init(&mdns.identity, name, http_port, AIRSWD_VERSION)) {
        fprintf(stderr, "airswdd: mDNS: no name to announce (--hostname NAME gives one)\n");
        return !options->mdns_port_given;
    }
    if (!airswdd_mdns_open(&mdns) || !airswdd_mdns_start(&mdns)) {
        if (mdns.fd >= 0)
            close(mdns.fd);
        if (mdns.multicast)
            fprintf(stderr, "airswdd: mDNS: not announced; the daemon is reached by its address\n");
        return mdns.multicast;
    }
    mdns_running = true;
    if (options->hostname == NULL || !dns_name_equal(options->hostname, mdns.identity.host))
        (void)api_add_host_name(&device.api, mdns.identity.host);
    char address[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &(struct in_addr){.s_addr = htonl(options->address)}, address, sizeof address);
    if (mdns.multicast)
        printf("airswdd: mDNS: answering on " MDNS_GROUP ":%u as %s (%s)\n", MDNS_PORT, mdns.identity.instance,
               mdns.identity.host);
    else
        printf("airswdd: mDNS: answering unicast queries on %s:%u as %s (%s)\n", address, mdns.port,
               mdns.identity.instance, mdns.identity.host);
    return true;
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

    /* The transport is a device setting (PUT /api/v1/settings {"transport"}): the simulated chip's USART1 and BOOT0
     * are wired for the ROM bootloader whatever the target's suffix, which only gives the setting's default. */
    struct cli_options target_options = {.target = options.target, .wire_uart = true};
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
        .version = AIRSWD_VERSION,
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
        .console = target.sim != NULL ? &airswdd_console_api : NULL,
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
    char address[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &(struct in_addr){.s_addr = htonl(options.address)}, address, sizeof address);
    if (http_server_open(&server, &device.api.http, &host, options.address, options.port) != 0) {
        fprintf(stderr, "airswdd: cannot listen on %s:%u: %s\n", address, options.port, strerror(errno));
    } else if (!airswdd_worker_start(&worker, &device)) {
        fprintf(stderr, "airswdd: cannot start the job thread\n");
        http_server_close(&server);
    } else if (!start_gdb(&options)) {
        fprintf(stderr, "airswdd: cannot start the GDB server's thread\n");
        airswdd_worker_stop(&worker);
        http_server_close(&server);
    } else if (!start_console(&options)) {
        fprintf(stderr, "airswdd: cannot start the console's thread\n");
        airswdd_gdb_stop(&gdb);
        airswdd_worker_stop(&worker);
        http_server_close(&server);
    } else if (!start_mdns(&options, http_server_port(&server))) {
        airswdd_console_stop(&console);
        airswdd_gdb_stop(&gdb);
        airswdd_worker_stop(&worker);
        http_server_close(&server);
    } else {
        service_log(&device.service, "airswdd %s serving %s (%s)", AIRSWD_VERSION, options.target,
                    target.description);
        printf("airswdd: listening on http://%s:%u%s\n", address, http_server_port(&server),
               options.address == INADDR_ANY ? " (every IPv4 address of this host)" : "");
        fflush(stdout);
        airswdd_worker_notify(&worker); /* the firmware already in the chip runs a little */
        status = 0;
        bool code_file_left = options.setup_code_file != NULL && api_setup_code(&device.api) != NULL;
        while (!port_host_cancel_requested()) {
            if (http_server_poll(&server, airswdd_console_web_active() ? 5 : 100) < 0) {
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
        if (mdns_running)
            airswdd_mdns_stop(&mdns);
        airswdd_console_stop(&console);
        airswdd_gdb_stop(&gdb);
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

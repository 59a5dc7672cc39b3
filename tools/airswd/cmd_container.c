/*
 * cmd_container.c - `airswd keygen`, `airswd sign` and `airswd inspect`: making and reading signed containers
 * (docs/image-format.md) on the host. No target is opened.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>

#include "container_file.h"
#include "secure/secure_image.h"
#include "part_number.h"

#define CLI_FILE_MAX (16u * 1024u * 1024u) /* larger than any STM32 flash */

/* The whole file in memory (free() it); NULL after printing why. */
static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "airswd: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    uint8_t *bytes = malloc(CLI_FILE_MAX + 1);
    *size = bytes != NULL ? fread(bytes, 1, CLI_FILE_MAX + 1, file) : 0;
    fclose(file);
    if (bytes == NULL || *size > CLI_FILE_MAX) {
        fprintf(stderr, "airswd: %s is larger than %u bytes\n", path, CLI_FILE_MAX);
        free(bytes);
        return NULL;
    }
    return bytes;
}

/* Every file a command reads must open: one that does not is a bad command line (exit 2), as for `flash`, and is
 * named with the reason before any work is done. */
static bool inputs_open(const char *const *paths, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (paths[i] == NULL)
            continue;
        FILE *file = fopen(paths[i], "rb");
        if (file == NULL) {
            fprintf(stderr, "airswd: cannot open %s: %s\n", paths[i], strerror(errno));
            return false;
        }
        fclose(file);
    }
    return true;
}

static void random_bytes(uint8_t *out, size_t len, mbedtls_ctr_drbg_context *drbg, mbedtls_entropy_context *entropy)
{
    mbedtls_entropy_init(entropy);
    mbedtls_ctr_drbg_init(drbg);
    if (mbedtls_ctr_drbg_seed(drbg, mbedtls_entropy_func, entropy, (const unsigned char *)"airswd keygen", 13) != 0 ||
        (out != NULL && mbedtls_ctr_drbg_random(drbg, out, len) != 0)) {
        fprintf(stderr, "airswd: no entropy source (/dev/urandom)\n");
        exit(1);
    }
}

static int keygen_usage(void)
{
    fprintf(stderr, "usage: airswd keygen -o KEY.pem [--pub PUB.pem]   (P-256 signing key)\n"
                    "       airswd keygen --aes -o KEY.hex             (AES-128 image key)\n");
    return 2;
}

/* --json: the files a command wrote, as one object. */
static void print_written(const char *label, const char *path, const char *second_label, const char *second_path)
{
    printf("{\"ok\":true,\"%s\":", label);
    cli_json_string(path);
    if (second_label != NULL) {
        printf(",\"%s\":", second_label);
        cli_json_string(second_path);
    }
    printf("}\n");
}

int cmd_keygen(const struct cli_options *options, int argc, char **argv)
{
    const char *out = NULL, *pub = NULL;
    bool aes = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--pub") == 0 && i + 1 < argc)
            pub = argv[++i];
        else if (strcmp(argv[i], "--aes") == 0)
            aes = true;
        else
            return keygen_usage();
    }
    if (out == NULL)
        return keygen_usage();
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    if (aes) {
        uint8_t key[SECURE_AES_KEY_SIZE];
        random_bytes(key, sizeof key, &drbg, &entropy);
        char text[2 * SECURE_AES_KEY_SIZE + 2];
        for (unsigned i = 0; i < SECURE_AES_KEY_SIZE; i++)
            snprintf(text + 2 * i, 3, "%02x", key[i]);
        strcat(text, "\n");
        bool ok = cli_output_write(out, text, strlen(text), 0600, false);
        mbedtls_ctr_drbg_free(&drbg);
        mbedtls_entropy_free(&entropy);
        if (ok && options->json)
            print_written("image_key", out, NULL, NULL);
        return ok ? 0 : 1;
    }
    char default_pub[512];
    if (pub == NULL) {
        size_t len = strlen(out);
        if (len > 4 && strcmp(out + len - 4, ".pem") == 0)
            len -= 4;
        snprintf(default_pub, sizeof default_pub, "%.*s.pub.pem", (int)len, out);
        pub = default_pub;
    }
    random_bytes(NULL, 0, &drbg, &entropy);
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    unsigned char private_pem[512], public_pem[256];
    bool ok = mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) == 0 &&
              mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk), mbedtls_ctr_drbg_random, &drbg) == 0 &&
              mbedtls_pk_write_key_pem(&pk, private_pem, sizeof private_pem) == 0 &&
              mbedtls_pk_write_pubkey_pem(&pk, public_pem, sizeof public_pem) == 0;
    mbedtls_pk_free(&pk);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    if (!ok) {
        fprintf(stderr, "airswd: generating the key failed\n");
        return 1;
    }
    if (access(pub, F_OK) == 0) {
        fprintf(stderr, "airswd: %s exists: not overwritten\n", pub);
        return 1;
    }
    if (!cli_output_write(out, private_pem, strlen((char *)private_pem), 0600, false))
        return 1;
    if (!cli_output_write(pub, public_pem, strlen((char *)public_pem), 0644, false)) {
        unlink(out); /* a pair or nothing */
        return 1;
    }
    if (options->json)
        print_written("private_key", out, "public_key", pub);
    else
        printf("private key %s (keep it secret), public key %s\n", out, pub);
    return 0;
}

/* An AES key file: 32 hex digits. */
static bool read_aes_key(const char *path, uint8_t key[SECURE_AES_KEY_SIZE])
{
    size_t size;
    uint8_t *text = read_file(path, &size);
    if (text == NULL)
        return false;
    unsigned got = 0;
    for (size_t i = 0; i + 1 < size && got < SECURE_AES_KEY_SIZE; i += 2) {
        char pair[3] = {(char)text[i], (char)text[i + 1], 0};
        char *end;
        unsigned long value = strtoul(pair, &end, 16);
        if (*end != '\0')
            break;
        key[got++] = (uint8_t)value;
    }
    free(text);
    if (got != SECURE_AES_KEY_SIZE)
        fprintf(stderr, "airswd: %s does not start with 32 hex digits (an AES-128 key)\n", path);
    return got == SECURE_AES_KEY_SIZE;
}

/* A public key file (PEM or DER SubjectPublicKeyInfo). */
static bool read_public_key(const char *path, uint8_t point[SECURE_P256_POINT_SIZE], uint8_t id[SECURE_KEY_ID_SIZE])
{
    size_t size;
    uint8_t *text = read_file(path, &size);
    if (text == NULL)
        return false;
    bool ok = secure_parse_public_key(text, size, point, id);
    free(text);
    if (!ok)
        fprintf(stderr, "airswd: %s is not a P-256 public key (openssl ec -pubout writes one)\n", path);
    return ok;
}

/* The image's data, collected from the parser and merged into sorted segments. */
struct collected_piece {
    uint32_t address;
    uint32_t size;
    uint8_t *bytes;
};

struct collected_image {
    struct collected_piece *pieces;
    size_t count, capacity;
};

static enum status collect_data(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len, uint32_t file_offset)
{
    (void)file_offset;
    struct collected_image *image = ctx;
    if (image->count == image->capacity) {
        image->capacity = image->capacity ? 2 * image->capacity : 64;
        image->pieces = realloc(image->pieces, image->capacity * sizeof *image->pieces);
        if (image->pieces == NULL)
            abort();
    }
    struct collected_piece *piece = &image->pieces[image->count++];
    piece->address = address;
    piece->size = len;
    piece->bytes = malloc(len);
    if (piece->bytes == NULL)
        abort();
    memcpy(piece->bytes, bytes, len);
    return STATUS_OK;
}

static int compare_pieces(const void *a, const void *b)
{
    const struct collected_piece *x = a, *y = b;
    return x->address < y->address ? -1 : x->address > y->address;
}

/* Sorts and merges the pieces into header's segments and one payload (free() it); NULL after printing why. */
static uint8_t *merge_segments(struct collected_image *image, struct image_container_header *header, uint32_t *size)
{
    qsort(image->pieces, image->count, sizeof *image->pieces, compare_pieces);
    uint64_t total = 0;
    for (size_t i = 0; i < image->count; i++)
        total += image->pieces[i].size;
    uint8_t *payload = malloc(total ? total : 1);
    if (payload == NULL)
        return NULL;
    header->segment_count = 0;
    uint64_t end = 0;
    for (size_t i = 0; i < image->count; i++) {
        const struct collected_piece *piece = &image->pieces[i];
        if (header->segment_count > 0 && piece->address < end) {
            fprintf(stderr, "airswd: the image writes 0x%08lX twice\n", (unsigned long)piece->address);
            free(payload);
            return NULL;
        }
        if (header->segment_count == 0 || piece->address != end) {
            if (header->segment_count == IMAGE_CONTAINER_MAX_SEGMENTS) {
                fprintf(stderr, "airswd: the image has more than %u separate address ranges\n",
                        IMAGE_CONTAINER_MAX_SEGMENTS);
                free(payload);
                return NULL;
            }
            header->segments[header->segment_count++] = (struct image_range){piece->address, 0};
        }
        memcpy(payload + *size, piece->bytes, piece->size);
        *size += piece->size;
        header->segments[header->segment_count - 1].size += piece->size;
        end = (uint64_t)piece->address + piece->size;
    }
    return payload;
}

static void free_collected(struct collected_image *image)
{
    for (size_t i = 0; i < image->count; i++)
        free(image->pieces[i].bytes);
    free(image->pieces);
}

/* Reads a BIN/HEX/ELF file (in *format when given, else detected) into segments and a payload. */
static uint8_t *read_image(const char *path, uint32_t base, bool format_given, enum image_format format,
                           struct image_container_header *header, uint32_t *size)
{
    size_t file_size;
    uint8_t *file = read_file(path, &file_size);
    if (file == NULL)
        return NULL;
    struct collected_image image = {0};
    struct image_sink sink = {collect_data, NULL, &image};
    struct status_report report;
    status_clear(&report);
    static struct image_reader reader;
    enum status status = format_given ? STATUS_OK : image_format_detect(file, file_size, &format, &report);
    if (status == STATUS_OK) {
        image_reader_init(&reader, format, base, &sink, &report);
        status = image_reader_feed(&reader, file, file_size);
    }
    if (status == STATUS_OK)
        status = image_reader_finish(&reader);
    free(file);
    uint8_t *payload = NULL;
    *size = 0;
    if (format == IMAGE_FORMAT_CONTAINER) {
        fprintf(stderr, "airswd: %s is already a signed container\n", path);
    } else if (status != STATUS_OK) {
        char text[256];
        fprintf(stderr, "airswd: %s: %s\n", path, status_format(&report, text, sizeof text));
    } else if (image.count == 0) {
        fprintf(stderr, "airswd: %s holds no data\n", path);
    } else {
        payload = merge_segments(&image, header, size);
    }
    free_collected(&image);
    return payload;
}

/* The programmer's own firmware: an ESP8266 app image, as it is, for the update slot (image-format.md, flag 1). */
#define PROGRAMMER_TARGET "esp8266"

static uint8_t *read_programmer_firmware(const char *path, struct image_container_header *header, uint32_t *size)
{
    size_t file_size;
    uint8_t *file = read_file(path, &file_size);
    if (file == NULL)
        return NULL;
    if (file_size == 0 || file_size > UINT32_MAX) {
        fprintf(stderr, "airswd: %s is empty or too large for a firmware\n", path);
        free(file);
        return NULL;
    }
    header->segment_count = 1;
    header->segments[0] = (struct image_range){0, (uint32_t)file_size};
    *size = (uint32_t)file_size;
    return file;
}

static bool add_target(struct image_container_header *header, const char *name)
{
    if (strcmp(name, PROGRAMMER_TARGET) == 0) {
        header->flags |= IMAGE_CONTAINER_FLAG_PROGRAMMER;
        return true;
    }
    struct part_number part;
    const char *why = "";
    if (!part_number_decode(name, &part, &why)) {
        fprintf(stderr, "airswd: --target %s: %s\n", name, why);
        return false;
    }
    if (header->target_count == IMAGE_CONTAINER_MAX_TARGETS) {
        fprintf(stderr, "airswd: at most %u --target parts\n", IMAGE_CONTAINER_MAX_TARGETS);
        return false;
    }
    header->targets[header->target_count++] =
        (struct image_container_target){part.part->dev_id, (uint16_t)(part.flash_size / 1024)};
    return true;
}

static int sign_usage(void)
{
    fprintf(stderr,
            "usage: airswd sign --key KEY.pem --version N --target PART [--target PART...] [--base ADDR]\n"
            "                   [--format bin|hex|elf] [--encrypt-key KEY.hex] FILE -o OUT\n"
            "       airswd sign --key KEY.pem --version N --target esp8266 FIRMWARE.bin -o OUT   (the programmer's own)\n"
            "       airswd sign --pub PUB.pem --version N --target PART ... FILE -o UNSIGNED --header-out HEADER.bin\n"
            "       airswd sign --attach SIG.der UNSIGNED -o OUT\n");
    return 2;
}

/* The signature (DER) of an external signer, put into the signature block of an unsigned container. */
static int sign_attach(const char *signature_path, const char *input, const char *out)
{
    size_t signature_size, file_size, out_size;
    uint8_t *signature = read_file(signature_path, &signature_size);
    uint8_t *file = signature != NULL ? read_file(input, &file_size) : NULL;
    uint8_t *signed_file =
        file != NULL ? container_attach(file, file_size, signature, signature_size, &out_size) : NULL;
    int result = 1;
    if (file != NULL && signed_file == NULL)
        fprintf(stderr, "airswd: %s is not a container, or %s is not a signature\n", input, signature_path);
    else if (signed_file != NULL && cli_output_write(out, signed_file, out_size, 0644, true))
        result = 0;
    free(signed_file);
    free(file);
    free(signature);
    return result;
}

int cmd_sign(const struct cli_options *options, int argc, char **argv)
{
    const char *key_path = NULL, *pub_path = NULL, *aes_path = NULL, *out = NULL, *input = NULL;
    const char *header_out = NULL, *attach = NULL;
    struct image_container_header header = {.flash_base = 0x08000000};
    bool have_version = false, format_given = false;
    enum image_format format = IMAGE_FORMAT_BIN;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        bool value = i + 1 < argc;
        if (strcmp(arg, "--key") == 0 && value)
            key_path = argv[++i];
        else if (strcmp(arg, "--pub") == 0 && value)
            pub_path = argv[++i];
        else if (strcmp(arg, "--encrypt-key") == 0 && value)
            aes_path = argv[++i];
        else if (strcmp(arg, "-o") == 0 && value)
            out = argv[++i];
        else if (strcmp(arg, "--header-out") == 0 && value)
            header_out = argv[++i];
        else if (strcmp(arg, "--attach") == 0 && value)
            attach = argv[++i];
        else if (strcmp(arg, "--version") == 0 && value)
            have_version = cli_parse_u32(argv[++i], &header.security_version);
        else if (strcmp(arg, "--base") == 0 && value) {
            if (!cli_parse_base(argv[++i], &header.flash_base))
                return 2;
        } else if (strcmp(arg, "--target") == 0 && value) {
            if (!add_target(&header, argv[++i]))
                return 2;
        } else if (strcmp(arg, "--format") == 0 && value) {
            if (!cli_parse_format(argv[++i], &format))
                return 2;
            format_given = true;
        } else if (arg[0] != '-' && input == NULL)
            input = arg;
        else
            return sign_usage();
    }
    const char *const inputs[] = {key_path, pub_path, aes_path, attach, input};
    if (!inputs_open(inputs, sizeof inputs / sizeof inputs[0]))
        return 2;
    if (attach != NULL)
        return input != NULL && out != NULL ? sign_attach(attach, input, out) : sign_usage();
    bool external = header_out != NULL;
    bool programmer = (header.flags & IMAGE_CONTAINER_FLAG_PROGRAMMER) != 0;
    if (input == NULL || out == NULL || !have_version || (header.target_count == 0 && !programmer) ||
        (external ? pub_path == NULL : key_path == NULL))
        return sign_usage();
    if (programmer && (header.target_count > 0 || aes_path != NULL)) {
        fprintf(stderr, "airswd: --target esp8266 signs the programmer's own firmware: no STM32 --target and no "
                        "--encrypt-key with it\n");
        return 2;
    }
    if (programmer)
        header.flash_base = 0;

    uint8_t point[SECURE_P256_POINT_SIZE], aes_key[SECURE_AES_KEY_SIZE];
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    int result = 1;
    uint8_t *payload = NULL, *file = NULL, *signed_file = NULL;
    if (external) {
        if (!read_public_key(pub_path, point, header.key_id))
            goto done;
    } else {
        if (mbedtls_pk_parse_keyfile(&pk, key_path, NULL) != 0 || container_key_point(&pk, point) != 0) {
            fprintf(stderr, "airswd: %s is not a P-256 private key (airswd keygen makes one)\n", key_path);
            goto done;
        }
        secure_key_id(point, header.key_id);
    }
    if (aes_path != NULL) {
        mbedtls_entropy_context entropy;
        mbedtls_ctr_drbg_context drbg;
        if (!read_aes_key(aes_path, aes_key))
            goto done;
        random_bytes(header.iv, sizeof header.iv, &drbg, &entropy);
        mbedtls_ctr_drbg_free(&drbg);
        mbedtls_entropy_free(&entropy);
    }
    uint32_t payload_size;
    payload = programmer ? read_programmer_firmware(input, &header, &payload_size)
                         : read_image(input, header.flash_base, format_given, format, &header, &payload_size);
    if (payload == NULL)
        goto done;
    size_t file_size, signed_size;
    file = container_assemble(&header, payload, payload_size, aes_path != NULL ? aes_key : NULL, &file_size);
    if (external) {
        if (cli_output_write(header_out, file, IMAGE_CONTAINER_HEADER_SIZE, 0644, true) &&
            cli_output_write(out, file, file_size, 0644, true))
            result = 0;
        goto done;
    }
    uint8_t signature[SECURE_SIGNATURE_MAX];
    size_t signature_size;
    if (container_sign_header(file, &pk, signature, &signature_size) != 0) {
        fprintf(stderr, "airswd: signing failed\n");
        goto done;
    }
    signed_file = container_attach(file, file_size, signature, signature_size, &signed_size);
    if (signed_file != NULL && cli_output_write(out, signed_file, signed_size, 0644, true))
        result = 0;

done:
    if (result == 0 && options->json)
        print_written(external ? "unsigned_container" : "container", out, external ? "header" : NULL, header_out);
    else if (result == 0)
        printf("%s %s written%s%s\n", external ? "unsigned container" : "signed container", out,
               external ? ", its header for the signer in " : "", external ? header_out : "");
    free(signed_file);
    free(file);
    free(payload);
    mbedtls_pk_free(&pk);
    return result;
}

static void print_hex(const char *label, const uint8_t *bytes, size_t len, bool json)
{
    printf(json ? "\"%s\":\"" : "%-18s ", label);
    for (size_t i = 0; i < len; i++)
        printf("%02x", bytes[i]);
    printf(json ? "\"," : "\n");
}

int cmd_inspect(const struct cli_options *options, int argc, char **argv)
{
    const char *pub_path = NULL, *input = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--pub") == 0 && i + 1 < argc)
            pub_path = argv[++i];
        else if (argv[i][0] != '-' && input == NULL)
            input = argv[i];
        else {
            fprintf(stderr, "usage: airswd inspect [--pub PUB.pem] FILE\n");
            return 2;
        }
    }
    if (input == NULL) {
        fprintf(stderr, "usage: airswd inspect [--pub PUB.pem] FILE\n");
        return 2;
    }
    const char *const inputs[] = {pub_path, input};
    if (!inputs_open(inputs, sizeof inputs / sizeof inputs[0]))
        return 2;
    size_t size;
    uint8_t *file = read_file(input, &size);
    if (file == NULL)
        return 1;
    struct status_report report;
    status_clear(&report);
    enum image_format format;
    if (image_format_detect(file, size < IMAGE_FORMAT_DETECT_BYTES ? size : IMAGE_FORMAT_DETECT_BYTES, &format,
                            &report) == STATUS_OK && format != IMAGE_FORMAT_CONTAINER) {
        fprintf(stderr, "airswd: %s holds a firmware image (%s), not a signed container: inspect reads containers, "
                        "which `airswd sign` makes from it\n", input, image_format_name(format));
        free(file);
        return 1;
    }
    status_clear(&report);
    struct image_container_header header;
    enum status status =
        size < IMAGE_CONTAINER_HEADER_SIZE + IMAGE_CONTAINER_SIGNATURE_LENGTH_SIZE
            ? status_fail(&report, STATUS_IMAGE_TRUNCATED, "%zu bytes: shorter than a container header", size)
            : image_container_header_decode(file, &header, &report);
    size_t signature_size = 0;
    if (status == STATUS_OK) {
        signature_size = file[IMAGE_CONTAINER_HEADER_SIZE] | (size_t)file[IMAGE_CONTAINER_HEADER_SIZE + 1] << 8;
        size_t expected = IMAGE_CONTAINER_HEADER_SIZE + IMAGE_CONTAINER_SIGNATURE_LENGTH_SIZE + signature_size +
                          header.payload_size;
        if (signature_size > SECURE_SIGNATURE_MAX || size != expected)
            status = status_fail(&report, size < expected ? STATUS_IMAGE_TRUNCATED : STATUS_IMAGE_FORMAT,
                                 "%zu bytes, the header and signature block say %zu", size, expected);
    }
    if (status != STATUS_OK) {
        char text[256];
        fprintf(stderr, "airswd: %s: %s\n", input, status_format(&report, text, sizeof text));
        free(file);
        return 1;
    }
    const uint8_t *signature = file + IMAGE_CONTAINER_HEADER_SIZE + IMAGE_CONTAINER_SIGNATURE_LENGTH_SIZE;
    const uint8_t *payload = signature + signature_size;
    uint8_t digest[SECURE_SHA256_SIZE];
    bool encrypted = (header.flags & IMAGE_CONTAINER_FLAG_ENCRYPTED) != 0;
    secure_sha256(payload, header.payload_size, digest);
    bool payload_ok = encrypted || secure_equal(digest, header.payload_sha256, SECURE_SHA256_SIZE);

    const char *verdict = "not checked (no --pub)";
    int result = payload_ok ? 0 : 1;
    if (pub_path != NULL) {
        uint8_t point[SECURE_P256_POINT_SIZE], id[SECURE_KEY_ID_SIZE];
        if (!read_public_key(pub_path, point, id)) {
            free(file);
            return 2;
        }
        secure_sha256(file, IMAGE_CONTAINER_HEADER_SIZE, digest);
        if (memcmp(id, header.key_id, SECURE_KEY_ID_SIZE) != 0)
            verdict = "INVALID: signed by another key";
        else if (signature_size == 0)
            verdict = "INVALID: not signed";
        else if (!secure_ecdsa_p256_verify(point, digest, signature, signature_size))
            verdict = "INVALID: signature does not match the header";
        else
            verdict = "valid";
        if (strcmp(verdict, "valid") != 0)
            result = 1;
    }

    bool json = options->json;
    char key_id[2 * SECURE_KEY_ID_SIZE + 1];
    secure_key_id_format(header.key_id, key_id);
    if (json) {
        printf("{\"ok\":%s,\"format_version\":%u,\"flags\":%u,\"encrypted\":%s,\"security_version\":%lu,"
               "\"flash_base\":%lu,"
               "\"payload_size\":%lu,\"key_id\":\"%s\",\"signature_size\":%zu,\"programmer_firmware\":%s,",
               result == 0 ? "true" : "false", IMAGE_CONTAINER_VERSION, header.flags, encrypted ? "true" : "false",
               (unsigned long)header.security_version, (unsigned long)header.flash_base,
               (unsigned long)header.payload_size, key_id, signature_size,
               (header.flags & IMAGE_CONTAINER_FLAG_PROGRAMMER) ? "true" : "false");
        print_hex("payload_sha256", header.payload_sha256, SECURE_SHA256_SIZE, true);
        print_hex("iv", header.iv, SECURE_AES_BLOCK_SIZE, true);
        printf("\"targets\":[");
        for (unsigned i = 0; i < header.target_count; i++)
            printf("%s{\"dev_id\":%u,\"min_flash_kb\":%u}", i ? "," : "", header.targets[i].dev_id,
                   header.targets[i].min_flash_kb);
        printf("],\"segments\":[");
        for (unsigned i = 0; i < header.segment_count; i++)
            printf("%s{\"address\":%lu,\"size\":%lu}", i ? "," : "", (unsigned long)header.segments[i].base,
                   (unsigned long)header.segments[i].size);
        printf("],\"payload_hash\":\"%s\",\"signature\":\"%s\"}\n",
               encrypted ? "not checked (encrypted)" : payload_ok ? "matches" : "MISMATCH", verdict);
    } else {
        printf("format             signed container, version %u\n", IMAGE_CONTAINER_VERSION);
        printf("flags              0x%02x%s%s\n", header.flags, encrypted ? " (payload AES-128-CTR encrypted)" : "",
               (header.flags & IMAGE_CONTAINER_FLAG_PROGRAMMER) ? " (the programmer's own firmware: esp8266)" : "");
        printf("security version   %lu\n", (unsigned long)header.security_version);
        printf("flash base         0x%08lx\n", (unsigned long)header.flash_base);
        for (unsigned i = 0; i < header.target_count; i++) {
            const struct stm32_part *part = stm32_part_find(header.targets[i].dev_id);
            printf("target %u           DEV_ID 0x%03x (%s), flash >= %u KB\n", i, header.targets[i].dev_id,
                   part ? part->name : "unknown part", header.targets[i].min_flash_kb);
        }
        for (unsigned i = 0; i < header.segment_count; i++)
            printf("segment %-2u         0x%08lx, %lu bytes\n", i, (unsigned long)header.segments[i].base,
                   (unsigned long)header.segments[i].size);
        printf("payload            %lu bytes\n", (unsigned long)header.payload_size);
        print_hex("payload SHA-256", header.payload_sha256, SECURE_SHA256_SIZE, false);
        printf("payload hash       %s\n", encrypted ? "not checked (encrypted)" : payload_ok ? "matches" : "MISMATCH");
        print_hex("AES IV", header.iv, SECURE_AES_BLOCK_SIZE, false);
        printf("key id             %s\n", key_id);
        printf("signature          %zu bytes, %s\n", signature_size, verdict);
    }
    free(file);
    return result;
}

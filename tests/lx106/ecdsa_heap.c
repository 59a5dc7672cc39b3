/*
 * ecdsa_heap.c - what one ECDSA P-256 verification (the check of a signed container, src/secure) costs the
 * ESP8266 in heap and stack, measured on its CPU with the mbedTLS it links (2.16.5, the SDK's ECP options: window 6,
 * fixed-point comb). mbedTLS allocates through mbedtls_platform_set_calloc_free here as on the chip, so every
 * allocation is counted; scripts/esp8266-budgets.sh takes this peak as the ECDSA part of a signed flash's heap.
 *
 * Usage (run.sh): ecdsa_heap.elf LIMIT_BYTES      exit status 1 when the peak is above LIMIT_BYTES
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lx106_runtime.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/ecdsa.h"
#include "mbedtls/entropy.h"
#include "mbedtls/platform.h"
#include "secure/secure_crypto.h"

/* Each block carries its size in front of it, so that free knows what it gives back. */
struct counted {
    size_t size;
    size_t pad; /* keeps the caller's bytes 8-aligned */
};

/* What the ESP8266's heap spends on a block beyond its bytes: a header of two words, and rounding to a word
 * (components/heap: mem_blk_t and HEAP_ALIGN). The peak counts it. */
#define HEAP_BLOCK_OVERHEAD 8u
#define HEAP_ALIGNED(size)  (((size) + 3u) & ~(size_t)3u)

static size_t in_use, peak, allocations;

static void *counted_calloc(size_t count, size_t size)
{
    if (size != 0 && count > (SIZE_MAX - sizeof(struct counted)) / size)
        return NULL;
    struct counted *block = calloc(1, sizeof *block + count * size);
    if (block == NULL)
        return NULL;
    block->size = HEAP_ALIGNED(count * size) + HEAP_BLOCK_OVERHEAD;
    in_use += block->size;
    allocations++;
    if (in_use > peak)
        peak = in_use;
    return block + 1;
}

static void counted_free(void *bytes)
{
    if (bytes == NULL)
        return;
    struct counted *block = (struct counted *)bytes - 1;
    in_use -= block->size;
    free(block);
}

int main(int argc, char **argv)
{
    unsigned long limit = argc > 1 ? strtoul(argv[1], NULL, 10) : 0;
    mbedtls_platform_set_calloc_free(counted_calloc, counted_free);

    /* A key and a signature over a digest, made here (the test entropy is fixed: the same every run). */
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_ecdsa_context key;
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_ecdsa_init(&key);
    uint8_t digest[SECURE_SHA256_SIZE], signature[SECURE_SIGNATURE_MAX], point[SECURE_P256_POINT_SIZE];
    secure_sha256((const uint8_t *)"airswd", 6, digest);
    size_t signature_size = 0, point_size = 0;
    if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0) != 0 ||
        mbedtls_ecdsa_genkey(&key, MBEDTLS_ECP_DP_SECP256R1, mbedtls_ctr_drbg_random, &drbg) != 0 ||
        mbedtls_ecp_point_write_binary(&key.grp, &key.Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &point_size, point,
                                       sizeof point) != 0 ||
        mbedtls_ecdsa_write_signature(&key, MBEDTLS_MD_SHA256, digest, sizeof digest, signature, &signature_size,
                                      mbedtls_ctr_drbg_random, &drbg) != 0) {
        fprintf(stderr, "ecdsa_heap: making the test signature failed\n");
        return 2;
    }
    mbedtls_ecdsa_free(&key);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);

    in_use = peak = allocations = 0;
    lx106_stack_repaint();
    size_t stack_before = lx106_stack_used();
    bool good = secure_ecdsa_p256_verify(point, digest, signature, signature_size);
    size_t stack = lx106_stack_used() - stack_before;
    digest[0] ^= 1;
    bool forged = secure_ecdsa_p256_verify(point, digest, signature, signature_size);
    printf("ECDSA P-256 verification on lx106 (mbedTLS 2.16.5): heap at most %lu B at once (with the SDK heap's "
           "block headers) in %lu allocations, "
           "stack %lu B, %lu B still allocated after\n",
           (unsigned long)peak, (unsigned long)allocations, (unsigned long)stack, (unsigned long)in_use);
    if (!good || forged) {
        fprintf(stderr, "ecdsa_heap: the verification gave the wrong answer (good %d, forged %d)\n", good, forged);
        return 2;
    }
    if (limit != 0 && peak > limit) {
        fprintf(stderr, "ecdsa_heap: %lu B is more than the %lu B scripts/esp8266-budgets.sh counts on\n",
                (unsigned long)peak, limit);
        return 1;
    }
    return in_use == 0 ? 0 : 1;
}

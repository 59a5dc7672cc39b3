/*
 * airswd_mbedtls_config.h - the mbedTLS 2.16 configuration of the test programs on the ESP8266's CPU
 * (MBEDTLS_CONFIG_FILE), built from the ESP8266_RTOS_SDK's copy of mbedTLS, the one the firmware links.
 *
 * It enables what the core (src/secure) and the unit tests use, and nothing else: SHA-256, AES (the core makes
 * CTR mode from single blocks), ECDSA P-256 verification and, for the tests that sign containers, signing; parsing
 * of PEM and DER keys; CTR-DRBG over an entropy source that exists for the tests only (test_entropy.c). Where the
 * SDK's configuration (components/mbedtls/port/include/mbedtls/esp_config.h) makes a choice that changes speed,
 * stack or heap on the chip, the same choice is made here. The one difference: the SDK replaces SHA-256 and AES
 * with its port's own code (MBEDTLS_SHA256_ALT, MBEDTLS_AES_ALT); these programs run mbedTLS's.
 */
#ifndef AIRSWD_MBEDTLS_CONFIG_H
#define AIRSWD_MBEDTLS_CONFIG_H

/* The system: no operating system, clock or files; no entropy but the one the tests provide. */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT

/* As in the SDK's configuration. mbedTLS allocates through a function pointer, as the SDK's does (its
 * esp_mbedtls_mem_calloc is calloc): ecdsa_heap.c counts every allocation through it. */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_NO_UDBL_DIVISION /* the L106 has no divide instruction: 64/32 division would call a helper */
#define MBEDTLS_AES_ROM_TABLES   /* AES tables in flash, not 8 KB of RAM */
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDSA_DETERMINISTIC
#define MBEDTLS_PK_PARSE_EC_EXTENDED

#define MBEDTLS_ECP_DP_SECP256R1_ENABLED

#define MBEDTLS_AES_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_HMAC_DRBG_C
#define MBEDTLS_MD_C
#define MBEDTLS_OID_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_SHA256_C

#include "mbedtls/check_config.h"

#endif /* AIRSWD_MBEDTLS_CONFIG_H */

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * toolchains/wolfcrypt-settings.h - what ntpsync builds of wolfCrypt (Debian's
 * wolfssl source package), installed as user_settings.h beside its headers;
 * every object is compiled with WOLFSSL_USER_SETTINGS, so this file is the
 * whole configuration.  MD5, SHA-1 and AES-128 encryption for CMAC (RFC 5905
 * and RFC 8573 MACs) and for AES-SIV-CMAC-256 (RFC 5297, NTS: RFC 8915
 * section 5.6; two AES-128 keys, CTR mode, encryption only); no TLS, no random numbers, no file system, no threads,
 * no assembly (portable C on every target), small code.
 */
#ifndef NTPSYNC_WOLFCRYPT_SETTINGS_H
#define NTPSYNC_WOLFCRYPT_SETTINGS_H

/* The hashes and ciphers, nothing else. */
#define WOLFCRYPT_ONLY
#define WOLFSSL_CMAC
#define WOLFSSL_AES_DIRECT
#define WOLFSSL_AES_SIV
#define WOLFSSL_AES_COUNTER
#define NO_AES_192
#define NO_AES_256
#define NO_AES_CBC
#define NO_AES_DECRYPT
#define NO_SHA256
#define NO_HMAC
#define NO_DES3
#define NO_RC4
#define NO_DH
#define NO_DSA
#define NO_RSA
#define NO_ASN
#define NO_CERTS
#define NO_PWDBASED
#define NO_PSK
#define NO_OLD_TLS
#define NO_SIG_WRAPPER
#define WC_NO_RNG
#define WOLFSSL_NO_SHAKE256

/* No platform services. */
#define SINGLE_THREADED
#define NO_FILESYSTEM
#define NO_WRITEV
#define NO_MAIN_DRIVER
#define NO_ERROR_STRINGS
#define NO_WOLFSSL_MEMORY
#define NO_DEV_RANDOM

/*
 * The byte order, which wolfSSL's configure would find (WORDS_BIGENDIAN):
 * without it MD5, SHA-1 and AES are wrong on big-endian MIPS.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define WORDS_BIGENDIAN
#endif

/* Portable C everywhere, in its smaller forms. */
#define WOLFSSL_NO_ASM
#define TFM_NO_ASM
#define USE_SLOW_SHA
#define WOLFSSL_AES_SMALL_TABLES
#define NO_INLINE

#endif /* NTPSYNC_WOLFCRYPT_SETTINGS_H */

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * toolchains/wolfssl-nts-settings.h - what `make NTS=1` builds of wolfSSL (Debian's
 * wolfssl source package, toolchains/wolfssl-nts.sh), installed as user_settings.h
 * beside its headers; every object is compiled with WOLFSSL_USER_SETTINGS, so this
 * file is the whole configuration.
 *
 * NTS-KE (RFC 8915 section 4) is a TLS 1.3 client with ALPN and the RFC 8446
 * section 7.5 exporter; NTS itself needs AES-SIV-CMAC-256 (RFC 5297); mac.c keeps
 * its MD5, SHA-1 and AES-CMAC.  Nothing else: no server side, no TLS 1.2 or older,
 * no session resumption, no file system (tls.c reads the CA bundle itself), no
 * threads, no assembly, small code.
 */
#ifndef NTPSYNC_WOLFSSL_NTS_SETTINGS_H
#define NTPSYNC_WOLFSSL_NTS_SETTINGS_H

/* TLS 1.3 client only (RFC 8915 section 4: "MUST NOT use TLS 1.2 or older"). */
#define WOLFSSL_TLS13
#define WOLFSSL_NO_TLS12
#define NO_OLD_TLS
#define NO_WOLFSSL_SERVER
#define HAVE_TLS_EXTENSIONS
#define HAVE_SUPPORTED_CURVES
#define HAVE_SNI
#define HAVE_ALPN
#define HAVE_KEYING_MATERIAL
#define HAVE_HKDF
#define NO_SESSION_CACHE
#define NO_CLIENT_CACHE
#define WOLFSSL_NO_DEF_TICKET_ENC_CB
#define NO_PSK
/* NTS-KE authenticates the server only: no client certificates. */
#define WOLFSSL_NO_CLIENT_AUTH
/* iPAddress entries are matched too, as text asn.c makes with XSNPRINTF. */
#define WOLFSSL_IP_ALT_NAME
/*
 * wolfSSL's few texts through ntpsync's small printf (fmt.c: the conversions
 * wolfSSL uses, %X included), not musl's, which brings about 10 KB of stdio and
 * float formatting.  Whatever links this wolfSSL links fmt.c.
 */
#include <stddef.h>
size_t str_fmt(char *buf, size_t len, const char *f, ...);
#define XSNPRINTF (int)str_fmt

/*
 * The cipher suites: TLS_AES_128_GCM_SHA256 (every TLS 1.3 server has it,
 * RFC 8446 section 9.1) and TLS_AES_256_GCM_SHA384.  Key exchange on X25519 and
 * P-256; certificates signed with ECDSA (P-256, P-384) or RSA (PKCS#1 v1.5 in
 * the chain, PSS in CertificateVerify, RFC 8446 section 4.2.3).
 */
#define HAVE_AESGCM
#define GCM_SMALL
#define HAVE_CURVE25519
#define CURVE25519_SMALL
#define HAVE_ECC
#define ECC_USER_CURVES
#define HAVE_ECC384
#define ECC_TIMING_RESISTANT
/* RSA only verifies (public keys, nothing secret to blind): no hardening warning. */
#define WC_NO_HARDEN
#define WC_RSA_PSS
#define WOLFSSL_RSA_VERIFY_ONLY
#define WOLFSSL_SHA384
#define WOLFSSL_SHA512
#define NO_AES_192
#define NO_AES_CBC

/* AEAD_AES_SIV_CMAC_256 for NTS (RFC 8915 section 5.1); CMAC for mac.c too. */
#define WOLFSSL_AES_SIV
#define WOLFSSL_CMAC
#define WOLFSSL_AES_DIRECT
#define WOLFSSL_AES_COUNTER

/* Public-key arithmetic: wolfSSL's sp_int, its smallest form, RSA up to 4096 bits. */
#define WOLFSSL_SP_MATH_ALL
#define WOLFSSL_SP_SMALL
#define SP_INT_BITS 4096

/* Random numbers: the hash DRBG seeded from getrandom(2) (Linux 3.17, musl 1.1.20). */
#define HAVE_HASHDRBG
#define WOLFSSL_GETRANDOM

/* Nothing else. */
#define NO_DES3
#define NO_RC4
#define NO_DH
#define NO_DSA
#define NO_MD4
#define NO_PWDBASED
#define NO_SIG_WRAPPER
#define WOLFSSL_NO_SHAKE128
#define WOLFSSL_NO_SHAKE256
#define WOLFSSL_ASN_TEMPLATE

/* No platform services; certificate validity at the time tls.c gives (wc_SetTimeCb). */
#define SINGLE_THREADED
#define NO_FILESYSTEM
#define NO_WRITEV
#define NO_MAIN_DRIVER
#define NO_ERROR_STRINGS
#define NO_WOLFSSL_MEMORY
#define HAVE_GMTIME_R

/*
 * The byte order, which wolfSSL's configure would find (WORDS_BIGENDIAN):
 * without it the hashes and AES are wrong on big-endian MIPS.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define WORDS_BIGENDIAN
/*
 * There sp_read_unsigned_bin() would load whole digits from the byte string of a
 * public key wherever it lies: a bus error on MIPS, which traps unaligned loads
 * (the server's ECDHE key share, under qemu-mips in tests/check-targets.sh).  Byte
 * by byte instead.
 */
#define WOLFSSL_SP_INT_DIGIT_ALIGN
#endif

/* Portable C everywhere, in its smaller forms. */
#define WOLFSSL_NO_ASM
#define TFM_NO_ASM
#define USE_SLOW_SHA
#define USE_SLOW_SHA256
#define USE_SLOW_SHA512
#define WOLFSSL_AES_SMALL_TABLES
#define NO_INLINE

#endif /* NTPSYNC_WOLFSSL_NTS_SETTINGS_H */

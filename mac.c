/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mac.c - the MAC of a symmetric-key NTP packet, by wolfCrypt (built from
 * Debian's wolfssl source package: toolchains/wolfcrypt.sh).  No hash or
 * cipher is written here; this file only says what goes into which.
 */
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/cmac.h>
#include <wolfssl/wolfcrypt/md5.h>
#include <wolfssl/wolfcrypt/misc.h>
#include <wolfssl/wolfcrypt/sha.h>

#include "mac.h"

/* wolfCrypt takes 32-bit lengths; an NTP packet is a UDP datagram. */
#define MAC_INPUT_MAX		65535u
/* The longest digest any type computes, before the cut to 20 bytes. */
#define MAC_FULL_MAX		MAC_SHA1_LEN

static size_t
full_len(enum mac_type t)
{
	switch (t) {
	case MAC_MD5:
		return MAC_MD5_LEN;
	case MAC_SHA1:
		return MAC_SHA1_LEN;
	case MAC_AES128_CMAC:
		return MAC_CMAC_LEN;
	}
	return 0;
}

size_t
mac_len(enum mac_type t)
{
	size_t n = full_len(t);

	return n > MAC_DIGEST_MAX ? MAC_DIGEST_MAX : n;
}

/* MD5(key || packet).  Returns 0 on success. */
static int
md5_mac(const uint8_t *key, size_t key_len, const uint8_t *pkt, size_t len,
    uint8_t *full)
{
	wc_Md5 h;
	int rc;

	rc = wc_InitMd5(&h);
	if (rc == 0)
		rc = wc_Md5Update(&h, key, (word32)key_len);
	if (rc == 0)
		rc = wc_Md5Update(&h, pkt, (word32)len);
	if (rc == 0)
		rc = wc_Md5Final(&h, full);
	wc_Md5Free(&h);
	ForceZero(&h, sizeof(h));
	return rc;
}

/* SHA1(key || packet).  Returns 0 on success. */
static int
sha1_mac(const uint8_t *key, size_t key_len, const uint8_t *pkt, size_t len,
    uint8_t *full)
{
	wc_Sha h;
	int rc;

	rc = wc_InitSha(&h);
	if (rc == 0)
		rc = wc_ShaUpdate(&h, key, (word32)key_len);
	if (rc == 0)
		rc = wc_ShaUpdate(&h, pkt, (word32)len);
	if (rc == 0)
		rc = wc_ShaFinal(&h, full);
	wc_ShaFree(&h);
	ForceZero(&h, sizeof(h));
	return rc;
}

/* CMAC(key, packet) with AES-128.  Returns 0 on success. */
static int
cmac_mac(const uint8_t *key, size_t key_len, const uint8_t *pkt, size_t len,
    uint8_t *full)
{
	Cmac c;
	word32 n = MAC_CMAC_LEN;
	int rc;

	if (key_len != MAC_CMAC_KEY_LEN)
		return -1;
	rc = wc_InitCmac(&c, key, (word32)key_len, WC_CMAC_AES, NULL);
	if (rc == 0)
		rc = wc_CmacUpdate(&c, pkt, (word32)len);
	if (rc == 0)
		rc = wc_CmacFinal(&c, full, &n);
	if (rc == 0 && n != MAC_CMAC_LEN)
		rc = -1;
	ForceZero(&c, sizeof(c));
	return rc;
}

/*
 * RFC 5905 section 7.3 and appendix A.2 (ntpd's authenticator): after the
 * header and any extension fields come a 32-bit key id and the digest.
 * MD5 and SHA1: digest = H(key || packet), the key prepended to the packet
 * (the bytes before the key id).  RFC 8573 section 4: AES-128-CMAC is
 * CMAC(key, packet), the key not prepended.  A digest longer than 20 bytes
 * is cut to its first 20 (ntpd's MAX_MDG_LEN; RFC 8573 section 4).
 */
size_t
mac_compute(enum mac_type t, const uint8_t *key, size_t key_len,
    const uint8_t *pkt, size_t len, uint8_t out[MAC_DIGEST_MAX])
{
	uint8_t full[MAC_FULL_MAX];
	size_t n = mac_len(t);
	int rc;

	if (n == 0 || key_len == 0 || key_len > MAC_INPUT_MAX ||
	    len > MAC_INPUT_MAX)
		return 0;
	switch (t) {
	case MAC_MD5:
		rc = md5_mac(key, key_len, pkt, len, full);
		break;
	case MAC_SHA1:
		rc = sha1_mac(key, key_len, pkt, len, full);
		break;
	case MAC_AES128_CMAC:
		rc = cmac_mac(key, key_len, pkt, len, full);
		break;
	default:
		rc = -1;
		break;
	}
	if (rc == 0)
		memcpy(out, full, n);
	ForceZero(full, sizeof(full));
	return rc == 0 ? n : 0;
}

bool
mac_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	/* wolfCrypt's: ORs every byte's difference, no early exit. */
	return n <= MAC_INPUT_MAX && ConstantCompare(a, b, (int)n) == 0;
}

bool
mac_verify(enum mac_type t, const uint8_t *key, size_t key_len,
    const uint8_t *pkt, size_t len, const uint8_t *digest, size_t digest_len)
{
	uint8_t mine[MAC_DIGEST_MAX];
	size_t n;
	bool ok;

	n = mac_compute(t, key, key_len, pkt, len, mine);
	ok = n != 0 && digest_len == n && mac_equal(mine, digest, n);
	ForceZero(mine, sizeof(mine));
	return ok;
}

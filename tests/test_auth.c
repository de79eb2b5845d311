/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of auth_key.c, the -a/-k authentication, on the exchanges
 * captured with classic ntpd 4.2.8p15 and its ntpdate and sntp
 * (shared/data/classic-ntpd-auth-vectors.json, packets as they were on the
 * wire; the keys read from the capture's own key file by keyfile.c):
 * sign() must give ntpdate's request byte for byte, verify() must take
 * ntpd's replies and refuse every way a reply can be wrong.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth.h"
#include "keyfile.h"
#include "ntp_packet.h"

/* The capture's key file, and its "wrong" one (keys_file, wrong_keys_file). */
static const char KEYS[] =
    "1 MD5 secret1\n2 SHA1 0123456789abcdef0123456789abcdef01234567\n";
static const char WRONG_KEYS[] =
    "1 MD5 wrongsecret\n2 SHA1 ffffffffffffffffffffffffffffffffffffffff\n";

#define KEYID_LEN		4
#define PKT_MAX			NTP_REQUEST_MAX

struct exchange {
	const char *label;
	uint32_t keyid;
	const char *request;
	const char *reply;
};

static const struct exchange good[] = {
	{ "ntpdate -a 1 -d", 1,
	  "e30003fa000100000001000000000000000000000000000000000000000000000000000000000000eeb7794345327d51000000019eee2e353b333e1ab29a1b418f04dda2",
	  "240603e8000000000003f2917f7f0100eeb779427f78cf03eeb7794345327d51eeb7794345450299eeb7794346e28a020000000166a8a3f551af09fd394bd66d400b9585" },
	{ "ntpdate -a 1 -q", 1,
	  "e30003fa000100000001000000000000000000000000000000000000000000000000000000000000eeb77949681fe70400000001be44173feb21f104aaa9e15690a6c007",
	  "240603e8000000000003f2977f7f0100eeb779427f78cf03eeb77949681fe704eeb77949682f4580eeb77949683b474d000000019ba92f9be4d897a1a37751de06e32b3d" },
	{ "sntp -a 1", 1,
	  "e3000800000000000000000000000000000000000000000000000000000000000000000000000000eeb77949738f0414000000015e994a9087444d054a2115a56e20537a",
	  "240608e8000000000003f2977f7f0100eeb779427f78cf03eeb77949738f0414eeb7794973a57198eeb7794973f921990000000180b2adc35d8ee521cadcf938fc9bdd1f" },
	{ "ntpdate -a 2 -d", 2,
	  "e30003fa000100000001000000000000000000000000000000000000000000000000000000000000eeb77949962c4cff0000000288067427dc9bff6077539bd47b6318077b4494ed",
	  "240603e8000000000003f2987f7f0100eeb779427f78cf03eeb77949962c4cffeeb77949964c8005eeb77949966abd4000000002ad3e7903fe053268ef201826d58adf4e781ed8dd" },
	{ "ntpdate -a 2 -q", 2,
	  "e30003fa000100000001000000000000000000000000000000000000000000000000000000000000eeb7794fb7b5cf630000000278553ab519bb9714f7e9607d27dab90598240e38",
	  "240603e8000000000001f2987f7f0100eeb7794a7f8aa7cdeeb7794fb7b5cf63eeb7794fb7bffa61eeb7794fb7f8e6ac00000002ae4ce5b3d825906d535a7c6b784be3943978c82d" },
	{ "sntp -a 2", 2,
	  "e3000800000000000000000000000000000000000000000000000000000000000000000000000000eeb7794fbf61fe2200000002587c8a0c0a9aa6c24a65b361694fa2ed7852fffc",
	  "240608e8000000000001f2987f7f0100eeb7794a7f8aa7cdeeb7794fbf61fe22eeb7794fbf720eeeeeb7794fbf771eb400000002f6af51266172376a76af836d6685bbc5dde28d5a" },
};

/* ntpdate with the wrong key file: ntpd's crypto-NAK (key id 0, 52 bytes). */
static const struct exchange nak[] = {
	{ "ntpdate -a 1 -k WRONGKEYFILE -d", 1,
	  "e30003fa000100000001000000000000000000000000000000000000000000000000000000000000eeb7794fe094150b000000012d97e0a720a4a9dde46f083d328f1518",
	  "240603e8000000000001f2987f7f0100eeb7794a7f8aa7cdeeb7794fe094150beeb7794fe0a3a1b8eeb7794fe0af57e500000000" },
	{ "ntpdate -a 2 -k WRONGKEYFILE -q", 2,
	  "e30003fa000100000001000000000000000000000000000000000000000000000000000000000000eeb77956226681500000000207558731c8259a20e7e93dce7c261d4ff550a392",
	  "240603e8000000000000f2977f7f0100eeb779527f71780deeb7795622668150eeb779562288da5aeeb779562295f7e000000000" },
};

/* ntpd's plain reply to a request without a MAC (ntpdate -a 7, no key 7). */
static const char UNSIGNED_REPLY[] =
    "240603e8000000000000f2977f7f0100eeb779527f71780deeb779564fa4327eeeb779564fac250ceeb779564fbc75e2";

static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	size_t n = 0;

	for (; hex[0] != '\0' && hex[1] != '\0' && n < cap; hex += 2)
		out[n++] = (uint8_t)((strchr(digits, hex[0]) - digits) << 4 |
		    (strchr(digits, hex[1]) - digits));
	assert_true(hex[0] == '\0');
	return n;
}

static struct ntp_key key;
static struct ntp_auth auth;
/* Symmetric keys leave nothing per request. */
static struct ntp_auth_req areq;

static void
use_key(const char *file, uint32_t id)
{
	char err[128];

	assert_int_equal(keyfile_parse(file, strlen(file), id, &key, err,
	    sizeof(err)), KEYFILE_FOUND);
	auth_key_init(&auth, &key);
}

static enum ntp_verdict
verify(const uint8_t *buf, size_t len)
{
	return auth.verify(&auth, NULL, &areq, buf, len);
}

/* ntpdate's own header, signed by us: its request, byte for byte. */
static void
test_sign_gives_ntpdates_request(void **state)
{
	uint8_t want[PKT_MAX], buf[PKT_MAX];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		use_key(KEYS, good[i].keyid);
		n = unhex(good[i].request, want, sizeof(want));
		memset(buf, 0xee, sizeof(buf));
		memcpy(buf, want, NTP_PACKET_LEN);
		assert_int_equal(auth.sign(&auth, NULL, &areq, buf,
		    NTP_PACKET_LEN, sizeof(buf)), n);
		assert_memory_equal(buf, want, n);
	}
}

/* RFC 7822: the MAC follows the extension fields and covers them. */
static void
test_sign_puts_the_mac_after_extension_fields(void **state)
{
	uint8_t buf[PKT_MAX], digest[MAC_DIGEST_MAX];
	const size_t ext = 16, len = NTP_PACKET_LEN + ext;

	(void)state;
	use_key(KEYS, 2);
	memset(buf, 0x5a, len);
	assert_int_equal(auth.sign(&auth, NULL, &areq, buf, len, sizeof(buf)),
	    len + KEYID_LEN + MAC_SHA1_LEN);
	assert_memory_equal(buf + len, "\0\0\0\2", KEYID_LEN);
	assert_int_equal(mac_compute(MAC_SHA1, key.bytes, key.len, buf, len,
	    digest), MAC_SHA1_LEN);
	assert_memory_equal(buf + len + KEYID_LEN, digest, MAC_SHA1_LEN);
	assert_int_equal(verify(buf, len + KEYID_LEN + MAC_SHA1_LEN), NTP_OK);
}

static void
test_sign_needs_room_for_the_mac(void **state)
{
	uint8_t buf[PKT_MAX];

	(void)state;
	use_key(KEYS, 1);
	memset(buf, 0, sizeof(buf));
	errno = 0;
	assert_int_equal(auth.sign(&auth, NULL, &areq, buf, NTP_PACKET_LEN,
	    NTP_PACKET_LEN + KEYID_LEN + MAC_MD5_LEN - 1), 0);
	assert_int_equal(errno, EMSGSIZE);
	assert_int_equal(auth.sign(&auth, NULL, &areq, buf, NTP_PACKET_LEN,
	    NTP_PACKET_LEN + KEYID_LEN + MAC_MD5_LEN),
	    NTP_PACKET_LEN + KEYID_LEN + MAC_MD5_LEN);
}

static void
test_verify_takes_ntpds_replies(void **state)
{
	uint8_t buf[PKT_MAX];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		use_key(KEYS, good[i].keyid);
		n = unhex(good[i].reply, buf, sizeof(buf));
		assert_int_equal(verify(buf, n), NTP_OK);
	}
}

/* One flipped bit anywhere, in the header, key id or digest, fails. */
static void
test_verify_refuses_every_flipped_bit(void **state)
{
	uint8_t buf[PKT_MAX];
	size_t i, n, bit;
	enum ntp_verdict v;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		use_key(KEYS, good[i].keyid);
		n = unhex(good[i].reply, buf, sizeof(buf));
		for (bit = 0; bit < n * 8; bit++) {
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			v = verify(buf, n);
			if (bit / 8 >= n - KEYID_LEN - mac_len(key.type) &&
			    bit / 8 < n - mac_len(key.type))
				assert_int_equal(v, NTP_AUTH_KEYID);
			else
				assert_int_equal(v, NTP_AUTH_FAILED);
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
	}
}

static void
test_verify_refuses_a_stripped_mac(void **state)
{
	uint8_t buf[PKT_MAX];
	size_t n;

	(void)state;
	use_key(KEYS, 1);
	n = unhex(good[0].reply, buf, sizeof(buf));
	assert_int_equal(verify(buf, NTP_PACKET_LEN), NTP_AUTH_MISSING);
	/* The digest cut off, the key id left. */
	assert_int_equal(verify(buf, n - MAC_MD5_LEN), NTP_AUTH_FAILED);
	assert_int_equal(verify(buf, n - 1), NTP_AUTH_FAILED);
	n = unhex(UNSIGNED_REPLY, buf, sizeof(buf));
	assert_int_equal(n, NTP_PACKET_LEN);
	assert_int_equal(verify(buf, n), NTP_AUTH_MISSING);
}

/* Signed right, but with the other key: key 2's reply to the key 1 user. */
static void
test_verify_refuses_another_key_id(void **state)
{
	uint8_t buf[PKT_MAX];
	size_t n;

	(void)state;
	use_key(KEYS, 1);
	n = unhex(good[3].reply, buf, sizeof(buf));
	assert_int_equal(verify(buf, n), NTP_AUTH_KEYID);
	use_key(KEYS, 2);
	n = unhex(good[0].reply, buf, sizeof(buf));
	assert_int_equal(verify(buf, n), NTP_AUTH_KEYID);
}

/* The same key id with another secret: the digest does not verify. */
static void
test_verify_refuses_a_different_key(void **state)
{
	uint8_t buf[PKT_MAX];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		use_key(WRONG_KEYS, good[i].keyid);
		n = unhex(good[i].reply, buf, sizeof(buf));
		assert_int_equal(verify(buf, n), NTP_AUTH_FAILED);
	}
}

/* ntpd's answer to the wrong key: ours signs as ntpdate did, NAK back. */
static void
test_verify_knows_the_crypto_nak(void **state)
{
	uint8_t want[PKT_MAX], buf[PKT_MAX];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(nak) / sizeof(nak[0]); i++) {
		use_key(WRONG_KEYS, nak[i].keyid);
		n = unhex(nak[i].request, want, sizeof(want));
		memcpy(buf, want, NTP_PACKET_LEN);
		assert_int_equal(auth.sign(&auth, NULL, &areq, buf,
		    NTP_PACKET_LEN, sizeof(buf)), n);
		assert_memory_equal(buf, want, n);
		n = unhex(nak[i].reply, buf, sizeof(buf));
		assert_int_equal(n, NTP_PACKET_LEN + KEYID_LEN);
		assert_int_equal(verify(buf, n), NTP_CRYPTO_NAK);
		/* A key id other than 0 without a digest is no NAK. */
		buf[NTP_PACKET_LEN + KEYID_LEN - 1] = (uint8_t)nak[i].keyid;
		assert_int_equal(verify(buf, n), NTP_AUTH_FAILED);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_gives_ntpdates_request),
		cmocka_unit_test(test_sign_puts_the_mac_after_extension_fields),
		cmocka_unit_test(test_sign_needs_room_for_the_mac),
		cmocka_unit_test(test_verify_takes_ntpds_replies),
		cmocka_unit_test(test_verify_refuses_every_flipped_bit),
		cmocka_unit_test(test_verify_refuses_a_stripped_mac),
		cmocka_unit_test(test_verify_refuses_another_key_id),
		cmocka_unit_test(test_verify_refuses_a_different_key),
		cmocka_unit_test(test_verify_knows_the_crypto_nak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

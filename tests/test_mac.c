/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of mac.c through the wolfCrypt it links: real MD5 and SHA1
 * exchanges with classic ntpd 4.2.8p15 and its ntpdate and sntp (captured on
 * loopback, shared/data/classic-ntpd-auth-vectors.json, packets copied as
 * they were on the wire), the AES-CMAC vectors of RFC 4493 section 4, the
 * 20-byte cut and the comparison.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mac.h"

/* The key file of the capture: "1 MD5 secret1", "2 SHA1 0123...4567" (hex). */
static const uint8_t KEY_MD5[] = "secret1";
#define KEY_MD5_LEN		(sizeof(KEY_MD5) - 1)
static const uint8_t KEY_SHA1[] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23,
	0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67
};
/* Its "wrong" key file: "1 MD5 wrongsecret". */
static const uint8_t KEY_MD5_WRONG[] = "wrongsecret";
#define KEY_MD5_WRONG_LEN	(sizeof(KEY_MD5_WRONG) - 1)

#define NTP_HEADER_LEN		48
#define KEYID_LEN		4
#define PKT_MAX			128

struct vector {
	const char *label;
	const char *hex;		/* the datagram: header, key id, digest */
	enum mac_type type;
	const uint8_t *key;		/* the key its MAC was made with */
	size_t key_len;
	uint32_t keyid;
};

#define MD5(k)	MAC_MD5, KEY_MD5##k, KEY_MD5##k##_LEN
#define SHA1	MAC_SHA1, KEY_SHA1, sizeof(KEY_SHA1)

static const struct vector vectors[] = {
	{ "ntpdate -a 1 -d request",
	  "e30003fa000100000001000000000000000000000000000000000000000000000000000000000000eeb7794345327d51000000019eee2e353b333e1ab29a1b418f04dda2",
	  MD5(), 1 },
	{ "ntpdate -a 1 -d reply",
	  "240603e8000000000003f2917f7f0100eeb779427f78cf03eeb7794345327d51eeb7794345450299eeb7794346e28a020000000166a8a3f551af09fd394bd66d400b9585",
	  MD5(), 1 },
	{ "sntp -a 1 request",
	  "e3000800000000000000000000000000000000000000000000000000000000000000000000000000eeb77949738f0414000000015e994a9087444d054a2115a56e20537a",
	  MD5(), 1 },
	{ "sntp -a 1 reply",
	  "240608e8000000000003f2977f7f0100eeb779427f78cf03eeb77949738f0414eeb7794973a57198eeb7794973f921990000000180b2adc35d8ee521cadcf938fc9bdd1f",
	  MD5(), 1 },
	{ "ntpd just started (INIT), MD5 reply",
	  "e40003e8000000000000001a494e4954000000000000000082ec01ad757cf58deeb7770bf1fb9d31eeb7770bf21880ea00000001dfb9420eb8d92fb852f58df506b15e10",
	  MD5(), 1 },
	{ "ntpdate -a 1 request with the wrong key file",
	  "e30003fa000100000001000000000000000000000000000000000000000000000000000000000000eeb7794fe094150b000000012d97e0a720a4a9dde46f083d328f1518",
	  MD5(_WRONG), 1 },
	{ "ntpdate -a 2 -d request",
	  "e30003fa000100000001000000000000000000000000000000000000000000000000000000000000eeb77949962c4cff0000000288067427dc9bff6077539bd47b6318077b4494ed",
	  SHA1, 2 },
	{ "ntpdate -a 2 -d reply",
	  "240603e8000000000003f2987f7f0100eeb779427f78cf03eeb77949962c4cffeeb77949964c8005eeb77949966abd4000000002ad3e7903fe053268ef201826d58adf4e781ed8dd",
	  SHA1, 2 },
	{ "sntp -a 2 request",
	  "e3000800000000000000000000000000000000000000000000000000000000000000000000000000eeb7794fbf61fe2200000002587c8a0c0a9aa6c24a65b361694fa2ed7852fffc",
	  SHA1, 2 },
	{ "sntp -a 2 reply",
	  "240608e8000000000001f2987f7f0100eeb7794a7f8aa7cdeeb7794fbf61fe22eeb7794fbf720eeeeeb7794fbf771eb400000002f6af51266172376a76af836d6685bbc5dde28d5a",
	  SHA1, 2 },
	{ "ntpd just started (INIT), SHA1 reply",
	  "e40003e8000000000000001c494e4954000000000000000089264b6101d5cbb2eeb7770dadd550e6eeb7770dade47caf00000002feb99c1ee6c51d52d5c6cde4d2f27c69b2a2513a",
	  SHA1, 2 },
};

/*
 * Requests whose MAC ntpd refused (it answered with a crypto-NAK): a probe
 * sent them with a corrupted digest.  They must not verify with the key.
 */
static const struct vector refused[] = {
	{ "MD5 request ntpd refused",
	  "2300000000000000000000000000000000000000000000000000000000000000000000000000000068e96974a033869e000000019daa0e8016d4b4cdc8423511a89f5367",
	  MD5(), 1 },
	{ "SHA1 request ntpd refused",
	  "23000000000000000000000000000000000000000000000000000000000000000000000000000000411d74dbde9c5d9d00000002b955eb7a16497055eff72d427c54bd0a66ff0849",
	  SHA1, 2 },
};

static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned int hi, lo;

	for (; hex[0] != '\0' && hex[1] != '\0' && n < cap; hex += 2) {
		hi = (unsigned int)(strchr("0123456789abcdef", hex[0]) - "0123456789abcdef");
		lo = (unsigned int)(strchr("0123456789abcdef", hex[1]) - "0123456789abcdef");
		out[n++] = (uint8_t)(hi << 4 | lo);
	}
	assert_true(hex[0] == '\0');
	return n;
}

/* The datagram split: the MAC'd bytes, the key id, the digest. */
struct split {
	uint8_t buf[PKT_MAX];
	size_t len;		/* bytes the MAC covers */
	uint32_t keyid;
	const uint8_t *digest;
	size_t digest_len;
};

static void
split(const struct vector *v, struct split *s)
{
	size_t n = unhex(v->hex, s->buf, sizeof(s->buf));

	s->digest_len = mac_len(v->type);
	assert_int_equal(n, NTP_HEADER_LEN + KEYID_LEN + s->digest_len);
	s->len = n - KEYID_LEN - s->digest_len;
	s->keyid = (uint32_t)s->buf[s->len] << 24 | (uint32_t)s->buf[s->len + 1] << 16 |
	    (uint32_t)s->buf[s->len + 2] << 8 | s->buf[s->len + 3];
	s->digest = s->buf + s->len + KEYID_LEN;
	assert_int_equal(s->keyid, v->keyid);
}

static void
captured_macs_verify(void **state)
{
	struct split s;
	uint8_t out[MAC_DIGEST_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		split(&vectors[i], &s);
		memset(out, 0, sizeof(out));
		assert_int_equal(mac_compute(vectors[i].type, vectors[i].key,
		    vectors[i].key_len, s.buf, s.len, out), s.digest_len);
		assert_memory_equal(out, s.digest, s.digest_len);
		assert_true(mac_verify(vectors[i].type, vectors[i].key,
		    vectors[i].key_len, s.buf, s.len, s.digest, s.digest_len));
	}
}

/* Every single flipped bit of the packet or of the digest fails. */
static void
flipped_bits_fail(void **state)
{
	struct split s;
	size_t i, bit;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		split(&vectors[i], &s);
		for (bit = 0; bit < (s.len + KEYID_LEN + s.digest_len) * 8; bit++) {
			/* The key id is not under the MAC (RFC 5905 7.3). */
			if (bit / 8 >= s.len && bit / 8 < s.len + KEYID_LEN)
				continue;
			s.buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_false(mac_verify(vectors[i].type, vectors[i].key,
			    vectors[i].key_len, s.buf, s.len, s.digest,
			    s.digest_len));
			s.buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		/* And put back, it verifies again. */
		assert_true(mac_verify(vectors[i].type, vectors[i].key,
		    vectors[i].key_len, s.buf, s.len, s.digest, s.digest_len));
	}
}

/* The other key, the other type, a short or long digest: no. */
static void
wrong_key_type_or_length_fails(void **state)
{
	struct split s;
	uint8_t longer[MAC_DIGEST_MAX + 1];

	(void)state;
	split(&vectors[0], &s);
	assert_false(mac_verify(MAC_MD5, KEY_MD5_WRONG, KEY_MD5_WRONG_LEN,
	    s.buf, s.len, s.digest, s.digest_len));
	assert_false(mac_verify(MAC_MD5, KEY_MD5, KEY_MD5_LEN - 1, s.buf, s.len,
	    s.digest, s.digest_len));
	assert_false(mac_verify(MAC_SHA1, KEY_MD5, KEY_MD5_LEN, s.buf, s.len,
	    s.digest, s.digest_len));
	assert_false(mac_verify(MAC_MD5, KEY_MD5, KEY_MD5_LEN, s.buf, s.len,
	    s.digest, s.digest_len - 1));
	memcpy(longer, s.digest, s.digest_len);
	longer[s.digest_len] = 0;
	assert_false(mac_verify(MAC_MD5, KEY_MD5, KEY_MD5_LEN, s.buf, s.len,
	    longer, s.digest_len + 1));
	/* The request made with the wrong key file: not with the right key. */
	split(&vectors[5], &s);
	assert_false(mac_verify(MAC_MD5, KEY_MD5, KEY_MD5_LEN, s.buf, s.len,
	    s.digest, s.digest_len));
	/* The SHA1 request with the MD5 type's digest length: no. */
	split(&vectors[6], &s);
	assert_false(mac_verify(MAC_MD5, KEY_SHA1, sizeof(KEY_SHA1), s.buf,
	    s.len, s.digest, MAC_MD5_LEN));
}

static void
refused_macs_fail(void **state)
{
	struct split s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		split(&refused[i], &s);
		assert_false(mac_verify(refused[i].type, refused[i].key,
		    refused[i].key_len, s.buf, s.len, s.digest, s.digest_len));
	}
}

/*
 * RFC 4493 section 4: AES-128 key 2b7e1516..., messages of 0, 16, 40 and
 * 64 bytes, prefixes of one 64-byte message.
 */
static void
rfc4493_cmac(void **state)
{
	static const char *const mac_hex[] = {
		"bb1d6929e95937287fa37d129b756746",
		"070a16b46b4d4144f79bdd9dd04a287c",
		"dfa66747de9ae63030ca32611497c827",
		"51f0bebf7e3b9d92fc49741779363cfe",
	};
	static const size_t msg_len[] = { 0, 16, 40, 64 };
	uint8_t key[MAC_CMAC_KEY_LEN], msg[64], want[MAC_CMAC_LEN];
	uint8_t out[MAC_DIGEST_MAX];
	size_t i;

	(void)state;
	assert_int_equal(unhex("2b7e151628aed2a6abf7158809cf4f3c", key,
	    sizeof(key)), sizeof(key));
	assert_int_equal(unhex("6bc1bee22e409f96e93d7e117393172a"
	    "ae2d8a571e03ac9c9eb76fac45af8e51"
	    "30c81c46a35ce411e5fbc1191a0a52ef"
	    "f69f2445df4f9b17ad2b417be66c3710", msg, sizeof(msg)), sizeof(msg));
	for (i = 0; i < sizeof(msg_len) / sizeof(msg_len[0]); i++) {
		assert_int_equal(unhex(mac_hex[i], want, sizeof(want)), sizeof(want));
		memset(out, 0, sizeof(out));
		assert_int_equal(mac_compute(MAC_AES128_CMAC, key, sizeof(key),
		    msg, msg_len[i], out), MAC_CMAC_LEN);
		assert_memory_equal(out, want, MAC_CMAC_LEN);
		assert_true(mac_verify(MAC_AES128_CMAC, key, sizeof(key), msg,
		    msg_len[i], want, sizeof(want)));
		want[MAC_CMAC_LEN - 1] ^= 1;
		assert_false(mac_verify(MAC_AES128_CMAC, key, sizeof(key), msg,
		    msg_len[i], want, sizeof(want)));
	}
	/* CMAC's key is 16 bytes, not 15 or 17; the key is not prepended. */
	assert_int_equal(mac_compute(MAC_AES128_CMAC, key, sizeof(key) - 1,
	    msg, sizeof(msg), out), 0);
	assert_int_equal(mac_compute(MAC_AES128_CMAC, msg, sizeof(key) + 1,
	    msg, sizeof(msg), out), 0);
}

/*
 * The digest is at most 20 bytes and mac_compute writes no more than
 * mac_len(): SHA1's 20 fill it exactly, MD5's and CMAC's 16 leave the
 * rest of the buffer as it was.  (No type computes more than 20 bytes
 * today, so the cut itself changes nothing yet; a longer hash added to
 * enum mac_type would be held to it by this test.)
 */
static void
digest_cut_to_20(void **state)
{
	static const enum mac_type types[] = { MAC_MD5, MAC_SHA1, MAC_AES128_CMAC };
	static const size_t want[] = { MAC_MD5_LEN, MAC_SHA1_LEN, MAC_CMAC_LEN };
	uint8_t key[MAC_CMAC_KEY_LEN], pkt[NTP_HEADER_LEN];
	uint8_t out[MAC_DIGEST_MAX + 8];
	size_t i, j;

	(void)state;
	memset(key, 0x5a, sizeof(key));
	memset(pkt, 0xa5, sizeof(pkt));
	assert_int_equal(MAC_DIGEST_MAX, 20);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		assert_true(mac_len(types[i]) <= MAC_DIGEST_MAX);
		assert_int_equal(mac_len(types[i]), want[i]);
		memset(out, 0xee, sizeof(out));
		assert_int_equal(mac_compute(types[i], key, sizeof(key), pkt,
		    sizeof(pkt), out), want[i]);
		for (j = want[i]; j < sizeof(out); j++)
			assert_int_equal(out[j], 0xee);
	}
	assert_int_equal(mac_len((enum mac_type)99), 0);
	assert_int_equal(mac_compute((enum mac_type)99, key, sizeof(key), pkt,
	    sizeof(pkt), out), 0);
	/* An empty key is no key. */
	assert_int_equal(mac_compute(MAC_MD5, key, 0, pkt, sizeof(pkt), out), 0);
}

/*
 * mac_equal: a difference in any one byte, first, middle or last, and in
 * any one bit of it, is found; equal bytes and zero bytes are equal.  (That
 * it takes the same time wherever they differ is wolfCrypt's
 * ConstantCompare: no early exit, which a timing test could not show
 * reliably here.)
 */
static void
constant_time_compare(void **state)
{
	uint8_t a[MAC_DIGEST_MAX], b[MAC_DIGEST_MAX];
	size_t i, bit;

	(void)state;
	for (i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)(i * 37 + 11);
	memcpy(b, a, sizeof(b));
	assert_true(mac_equal(a, b, sizeof(a)));
	assert_true(mac_equal(a, b, 0));
	for (i = 0; i < sizeof(a); i++) {
		for (bit = 0; bit < 8; bit++) {
			b[i] ^= (uint8_t)(1u << bit);
			assert_false(mac_equal(a, b, sizeof(a)));
			/* Only the first i bytes compared: equal. */
			assert_true(mac_equal(a, b, i));
			b[i] ^= (uint8_t)(1u << bit);
		}
	}
	assert_true(mac_equal(a, b, sizeof(a)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(captured_macs_verify),
		cmocka_unit_test(flipped_bits_fail),
		cmocka_unit_test(wrong_key_type_or_length_fails),
		cmocka_unit_test(refused_macs_fail),
		cmocka_unit_test(rfc4493_cmac),
		cmocka_unit_test(digest_cut_to_20),
		cmocka_unit_test(constant_time_compare),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

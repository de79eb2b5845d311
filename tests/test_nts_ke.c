/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of nts_ke.c, the NTS-KE messages (RFC 8915 section 4): our
 * request byte for byte, the length of a whole response, responses a
 * server may send (cookies, server and port records, unknown non-critical
 * records) and every way one is refused, the words of each verdict, and
 * the exporter's context (section 5.1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fmt.h"
#include "nts_ke.h"

#define MSG_MAX		4096
#define COOKIE_LEN	100	/* chrony's cookies are about this long */

/* A response under construction. */
struct msg {
	uint8_t b[MSG_MAX];
	size_t n;
};

static void
rec(struct msg *m, unsigned type, const void *body, size_t len)
{
	assert_true(m->n + 4 + len <= MSG_MAX);
	m->b[m->n] = (uint8_t)(type >> 8);
	m->b[m->n + 1] = (uint8_t)type;
	m->b[m->n + 2] = (uint8_t)(len >> 8);
	m->b[m->n + 3] = (uint8_t)len;
	if (len > 0)
		memcpy(m->b + m->n + 4, body, len);
	m->n += 4 + len;
}

static void
rec16(struct msg *m, unsigned type, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	rec(m, type, b, sizeof(b));
}

static void
cookies(struct msg *m, unsigned n, size_t len)
{
	uint8_t c[NTS_COOKIE_MAX + 8];
	unsigned i;

	assert_true(len <= sizeof(c));
	for (i = 0; i < n; i++) {
		memset(c, (int)(0xc0 + i), len);
		rec(m, NTS_KE_COOKIE, c, len);
	}
}

static void
end(struct msg *m)
{
	rec(m, NTS_KE_CRITICAL | NTS_KE_END, NULL, 0);
}

/* What chrony's server sends: Next Protocol, AEAD, 8 cookies, End. */
static void
good(struct msg *m)
{
	m->n = 0;
	rec16(m, NTS_KE_CRITICAL | NTS_KE_NEXT_PROTOCOL, NTS_KE_PROTO_NTPV4);
	rec16(m, NTS_KE_AEAD, NTS_KE_AEAD_AES_SIV_CMAC_256);
	cookies(m, 8, COOKIE_LEN);
}

static enum nts_ke_verdict
parse(const struct msg *m, struct nts_ke_response *r)
{
	return nts_ke_parse(m->b, m->n, r);
}

static void
request_bytes(void **state)
{
	static const uint8_t want[NTS_KE_REQUEST_LEN] = {
		0x80, 0x01, 0x00, 0x02, 0x00, 0x00,	/* Next Protocol: NTPv4 */
		0x00, 0x04, 0x00, 0x02, 0x00, 0x0f,	/* AEAD: 15 */
		0x80, 0x00, 0x00, 0x00			/* End of Message */
	};
	uint8_t buf[NTS_KE_REQUEST_LEN];
	struct nts_ke_response r;

	(void)state;
	assert_int_equal(nts_ke_request(buf), NTS_KE_REQUEST_LEN);
	assert_memory_equal(buf, want, sizeof(want));
	/* Our own request reads as a response without cookies. */
	assert_int_equal(nts_ke_complete(buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(nts_ke_parse(buf, sizeof(buf), &r), NTS_KE_NO_COOKIES);
	assert_int_equal(r.protocol, NTS_KE_PROTO_NTPV4);
	assert_int_equal(r.aead, NTS_KE_AEAD_AES_SIV_CMAC_256);
}

static void
complete_counts_to_end(void **state)
{
	struct msg m;
	size_t i, whole;

	(void)state;
	good(&m);
	end(&m);
	whole = m.n;
	for (i = 0; i < whole; i++)
		assert_int_equal(nts_ke_complete(m.b, i), 0);
	assert_int_equal(nts_ke_complete(m.b, whole), whole);
	/* What follows End of Message is not counted. */
	rec16(&m, NTS_KE_AEAD, 1);
	assert_int_equal(nts_ke_complete(m.b, m.n), whole);
	/* The critical bit of End of Message does not matter to the count. */
	m.b[whole - 4] = 0;
	assert_int_equal(nts_ke_complete(m.b, whole), whole);
}

static void
good_responses(void **state)
{
	struct nts_ke_response r;
	struct msg m;
	char words[NTS_KE_WORDS_LEN];

	(void)state;
	good(&m);
	end(&m);
	assert_int_equal(parse(&m, &r), NTS_KE_OK);
	assert_int_equal(r.protocol, NTS_KE_PROTO_NTPV4);
	assert_int_equal(r.aead, NTS_KE_AEAD_AES_SIV_CMAC_256);
	assert_int_equal(r.ncookies, 8);
	assert_int_equal(r.cookies[7].len, COOKIE_LEN);
	assert_int_equal(r.cookies[7].bytes[0], 0xc7);
	assert_string_equal(r.server, "");
	assert_int_equal(r.port, 0);
	assert_int_equal(r.error, -1);
	assert_string_equal(nts_ke_words(NTS_KE_OK, &r, words, sizeof(words)),
	    "a usable NTS-KE response");

	/* Server and port records, an unknown non-critical record. */
	good(&m);
	rec(&m, NTS_KE_SERVER, "ntp1.example.org", 16);
	rec16(&m, NTS_KE_PORT_REC, 10123);
	rec16(&m, 0x4000, 7);
	end(&m);
	assert_int_equal(parse(&m, &r), NTS_KE_OK);
	assert_string_equal(r.server, "ntp1.example.org");
	assert_int_equal(r.port, 10123);

	/* An IPv6 address; End of Message without its critical bit. */
	good(&m);
	rec(&m, NTS_KE_SERVER, "2001:db8::123", 13);
	rec(&m, NTS_KE_END, NULL, 0);
	assert_int_equal(parse(&m, &r), NTS_KE_OK);
	assert_string_equal(r.server, "2001:db8::123");

	/* More cookies than we keep, and ones we cannot keep. */
	good(&m);
	cookies(&m, 3, COOKIE_LEN);
	end(&m);
	assert_int_equal(parse(&m, &r), NTS_KE_OK);
	assert_int_equal(r.ncookies, NTS_COOKIES_MAX);
	m.n = 0;
	rec16(&m, NTS_KE_CRITICAL | NTS_KE_NEXT_PROTOCOL, NTS_KE_PROTO_NTPV4);
	rec16(&m, NTS_KE_AEAD, NTS_KE_AEAD_AES_SIV_CMAC_256);
	cookies(&m, 1, NTS_COOKIE_MAX + 1);
	cookies(&m, 1, 0);
	cookies(&m, 1, NTS_COOKIE_MAX);
	end(&m);
	assert_int_equal(parse(&m, &r), NTS_KE_OK);
	assert_int_equal(r.ncookies, 1);
	assert_int_equal(r.cookies[0].len, NTS_COOKIE_MAX);
}

/* m (without its End of Message) gives v, and words containing `has`. */
static void
refused(struct msg *m, enum nts_ke_verdict v, const char *has)
{
	struct nts_ke_response r;
	char words[NTS_KE_WORDS_LEN];

	end(m);
	assert_int_equal(parse(m, &r), v);
	nts_ke_words(v, &r, words, sizeof(words));
	if (strstr(words, has) == NULL)
		fail_msg("verdict %d: \"%s\" lacks \"%s\"", (int)v, words, has);
}

static void
server_refusals(void **state)
{
	struct msg m;

	(void)state;
	good(&m);
	rec16(&m, NTS_KE_CRITICAL | NTS_KE_ERROR, NTS_KE_ERR_BAD_REQUEST);
	refused(&m, NTS_KE_SERVER_ERROR,
	    "the server sent an NTS-KE Error record: bad request (1)");
	m.n = 0;
	rec16(&m, NTS_KE_CRITICAL | NTS_KE_ERROR, NTS_KE_ERR_UNRECOGNIZED);
	refused(&m, NTS_KE_SERVER_ERROR, "unrecognized critical record (0)");
	m.n = 0;
	rec16(&m, NTS_KE_CRITICAL | NTS_KE_ERROR, NTS_KE_ERR_INTERNAL);
	refused(&m, NTS_KE_SERVER_ERROR, "internal server error (2)");
	m.n = 0;
	rec16(&m, NTS_KE_CRITICAL | NTS_KE_ERROR, 77);
	refused(&m, NTS_KE_SERVER_ERROR, "? (77)");
	/* RFC 8915 4.1.4: no warning code is defined, each is an error. */
	good(&m);
	rec16(&m, NTS_KE_CRITICAL | NTS_KE_WARNING, 5);
	refused(&m, NTS_KE_SERVER_WARNING, "Warning record (code 5)");
}

static void
negotiation_refusals(void **state)
{
	static const uint8_t ntpv4_and_1[] = { 0, 0, 0, 1 };
	static const uint8_t aeads[] = { 0, 15, 0, 30 };
	struct msg m;

	(void)state;
	m.n = 0;
	rec16(&m, NTS_KE_AEAD, NTS_KE_AEAD_AES_SIV_CMAC_256);
	cookies(&m, 1, COOKIE_LEN);
	refused(&m, NTS_KE_NO_PROTOCOL, "no Next Protocol record");
	m.n = 0;
	rec(&m, NTS_KE_CRITICAL | NTS_KE_NEXT_PROTOCOL, NULL, 0);
	rec16(&m, NTS_KE_AEAD, NTS_KE_AEAD_AES_SIV_CMAC_256);
	cookies(&m, 1, COOKIE_LEN);
	refused(&m, NTS_KE_NOT_NTPV4, "no NTPv4 in the Next Protocol record");
	m.n = 0;
	rec16(&m, NTS_KE_CRITICAL | NTS_KE_NEXT_PROTOCOL, 1);
	rec16(&m, NTS_KE_AEAD, NTS_KE_AEAD_AES_SIV_CMAC_256);
	cookies(&m, 1, COOKIE_LEN);
	refused(&m, NTS_KE_NOT_NTPV4, "no NTPv4");
	/* Section 4.1.2: the server's ids are a subset of ours. */
	m.n = 0;
	rec(&m, NTS_KE_CRITICAL | NTS_KE_NEXT_PROTOCOL, ntpv4_and_1, 4);
	rec16(&m, NTS_KE_AEAD, NTS_KE_AEAD_AES_SIV_CMAC_256);
	cookies(&m, 1, COOKIE_LEN);
	refused(&m, NTS_KE_NOT_NTPV4, "no NTPv4");
	m.n = 0;
	rec16(&m, NTS_KE_CRITICAL | NTS_KE_NEXT_PROTOCOL, 0);
	cookies(&m, 1, COOKIE_LEN);
	refused(&m, NTS_KE_NO_AEAD, "no AEAD Algorithm record");
	m.n = 0;
	rec16(&m, NTS_KE_CRITICAL | NTS_KE_NEXT_PROTOCOL, 0);
	rec16(&m, NTS_KE_AEAD, 30);	/* AES-128-GCM-SIV */
	cookies(&m, 1, COOKIE_LEN);
	refused(&m, NTS_KE_BAD_AEAD, "AEAD not AES-SIV-CMAC-256 (30)");
	m.n = 0;
	rec16(&m, NTS_KE_CRITICAL | NTS_KE_NEXT_PROTOCOL, 0);
	rec(&m, NTS_KE_AEAD, aeads, sizeof(aeads));
	cookies(&m, 1, COOKIE_LEN);
	refused(&m, NTS_KE_BAD_AEAD, "(30)");
	m.n = 0;
	rec16(&m, NTS_KE_CRITICAL | NTS_KE_NEXT_PROTOCOL, 0);
	rec(&m, NTS_KE_AEAD, NULL, 0);
	cookies(&m, 1, COOKIE_LEN);
	refused(&m, NTS_KE_BAD_AEAD, "(-1)");
	good(&m);
	m.n = 12;	/* Next Protocol and AEAD only */
	refused(&m, NTS_KE_NO_COOKIES, "no cookies");
}

static void
malformed(void **state)
{
	struct nts_ke_response r;
	struct msg m;
	char words[NTS_KE_WORDS_LEN];
	size_t i, whole;

	(void)state;
	/* Cut anywhere: truncated inside a record, no End at a boundary. */
	good(&m);
	end(&m);
	whole = m.n;
	for (i = 0; i < whole; i++) {
		enum nts_ke_verdict v = nts_ke_parse(m.b, i, &r);

		assert_true(v == NTS_KE_TRUNCATED || v == NTS_KE_NO_END);
	}
	assert_int_equal(nts_ke_parse(m.b, 12, &r), NTS_KE_NO_END);
	assert_int_equal(nts_ke_parse(m.b, 13, &r), NTS_KE_TRUNCATED);
	assert_int_equal(nts_ke_parse(m.b, 0, &r), NTS_KE_NO_END);
	nts_ke_words(NTS_KE_TRUNCATED, &r, words, sizeof(words));
	assert_string_equal(words, "an NTS-KE record is truncated");

	/* Bytes after End of Message; End with a body. */
	good(&m);
	end(&m);
	m.b[m.n++] = 0;
	assert_int_equal(parse(&m, &r), NTS_KE_AFTER_END);
	good(&m);
	rec16(&m, NTS_KE_CRITICAL | NTS_KE_END, 0);
	assert_int_equal(parse(&m, &r), NTS_KE_BAD_LENGTH);

	/* Bodies of the wrong length. */
	good(&m);
	rec(&m, NTS_KE_CRITICAL | NTS_KE_ERROR, "abc", 3);
	refused(&m, NTS_KE_BAD_LENGTH, "record type 2 has a body of the wrong");
	good(&m);
	rec(&m, NTS_KE_CRITICAL | NTS_KE_WARNING, "", 0);
	refused(&m, NTS_KE_BAD_LENGTH, "type 3");
	good(&m);
	rec(&m, NTS_KE_PORT_REC, "abc", 3);
	refused(&m, NTS_KE_BAD_LENGTH, "type 7");
	m.n = 0;
	rec(&m, NTS_KE_CRITICAL | NTS_KE_NEXT_PROTOCOL, "abc", 3);
	refused(&m, NTS_KE_BAD_LENGTH, "type 1");
	m.n = 0;
	rec(&m, NTS_KE_AEAD, "a", 1);
	refused(&m, NTS_KE_BAD_LENGTH, "type 4");

	/* Records the RFC allows once. */
	good(&m);
	rec16(&m, NTS_KE_CRITICAL | NTS_KE_NEXT_PROTOCOL, 0);
	refused(&m, NTS_KE_DUPLICATE, "record type 1 sent twice");
	good(&m);
	rec16(&m, NTS_KE_AEAD, NTS_KE_AEAD_AES_SIV_CMAC_256);
	refused(&m, NTS_KE_DUPLICATE, "type 4");
	good(&m);
	rec(&m, NTS_KE_SERVER, "a", 1);
	rec(&m, NTS_KE_SERVER, "b", 1);
	refused(&m, NTS_KE_DUPLICATE, "type 6");
	good(&m);
	rec16(&m, NTS_KE_PORT_REC, 123);
	rec16(&m, NTS_KE_PORT_REC, 123);
	refused(&m, NTS_KE_DUPLICATE, "type 7");

	/* Section 4: an unrecognized critical record is refused. */
	good(&m);
	rec16(&m, NTS_KE_CRITICAL | 99, 0);
	refused(&m, NTS_KE_CRITICAL_TYPE,
	    "unrecognized critical NTS-KE record type 99");
	good(&m);
	rec16(&m, NTS_KE_CRITICAL | 0x7fff, 0);
	refused(&m, NTS_KE_CRITICAL_TYPE, "type 32767");

	good(&m);
	rec16(&m, NTS_KE_PORT_REC, 0);
	refused(&m, NTS_KE_BAD_PORT, "port 0");
}

static void
server_names(void **state)
{
	static const char *const bad[] = { "", "a b", "ntp\n", "a/b",
	    "[::1]", "x;rm", "\xc3\xa9t\xc3\xa9", "a%eth0", "a_b" };
	char name[NTS_KE_SERVER_MAX + 2];
	struct msg m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		good(&m);
		rec(&m, NTS_KE_SERVER, bad[i], strlen(bad[i]));
		refused(&m, NTS_KE_BAD_SERVER, "not a host name or an address");
	}
	memset(name, 'a', sizeof(name));
	good(&m);
	rec(&m, NTS_KE_SERVER, name, NTS_KE_SERVER_MAX);
	refused(&m, NTS_KE_OK, "usable");
	good(&m);
	rec(&m, NTS_KE_SERVER, name, NTS_KE_SERVER_MAX + 1);
	refused(&m, NTS_KE_BAD_SERVER, "not a host name");
	good(&m);
	rec(&m, NTS_KE_SERVER, "192.0.2.1", 9);
	refused(&m, NTS_KE_OK, "usable");
	good(&m);
	rec(&m, NTS_KE_SERVER, "xn--bcher-kva.example", 21);
	refused(&m, NTS_KE_OK, "usable");
}

static void
every_verdict_has_words(void **state)
{
	struct nts_ke_response r;
	char words[NTS_KE_WORDS_LEN], small[8];
	int v;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.error = NTS_KE_ERR_BAD_REQUEST;
	for (v = NTS_KE_OK; v < NTS_KE_VERDICT_COUNT; v++) {
		nts_ke_words((enum nts_ke_verdict)v, &r, words, sizeof(words));
		assert_true(strlen(words) > 10);
		assert_null(strchr(words, '?'));
		/* Cut to the buffer, terminated. */
		nts_ke_words((enum nts_ke_verdict)v, &r, small, sizeof(small));
		assert_int_equal(strlen(small), sizeof(small) - 1);
	}
	assert_string_equal(nts_ke_error_name(3), "?");
}

static void
exporter_context(void **state)
{
	static const uint8_t c2s[] = { 0x00, 0x00, 0x00, 0x0f, 0x00 };
	static const uint8_t s2c[] = { 0x00, 0x00, 0x00, 0x0f, 0x01 };
	uint8_t ctx[NTS_KE_CONTEXT_LEN];

	(void)state;
	nts_ke_context(ctx, NTS_KE_PROTO_NTPV4, NTS_KE_AEAD_AES_SIV_CMAC_256,
	    NTS_KE_C2S);
	assert_memory_equal(ctx, c2s, sizeof(c2s));
	nts_ke_context(ctx, NTS_KE_PROTO_NTPV4, NTS_KE_AEAD_AES_SIV_CMAC_256,
	    NTS_KE_S2C);
	assert_memory_equal(ctx, s2c, sizeof(s2c));
	assert_string_equal(NTS_KE_EXPORTER_LABEL,
	    "EXPORTER-network-time-security");
	assert_string_equal(NTS_KE_ALPN, "ntske/1");
	assert_int_equal(NTS_KE_PORT, 4460);
}

/*
 * The NTS build's wolfSSL writes a certificate's addresses with fmt.c
 * (XSNPRINTF in toolchains/wolfssl-nts-settings.h), in its own formats:
 * tls.c matches the address given against these texts.
 */
static void
wolfssl_address_texts(void **state)
{
	char buf[48];

	(void)state;
	str_fmt(buf, sizeof(buf), "%u.%u.%u.%u", 127u, 0u, 0u, 1u);
	assert_string_equal(buf, "127.0.0.1");
	str_fmt(buf, sizeof(buf), "%02X%02X%s", 0x20u, 0x01u, ":");
	assert_string_equal(buf, "2001:");
	str_fmt(buf, sizeof(buf), "%02X%02X%s", 0xfeu, 0x8u, "");
	assert_string_equal(buf, "FE08");
	assert_int_equal(str_fmt(buf, 4, "%02X%02X", 0xabu, 0xcdu), 4);
	assert_string_equal(buf, "ABC");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_bytes),
		cmocka_unit_test(complete_counts_to_end),
		cmocka_unit_test(good_responses),
		cmocka_unit_test(server_refusals),
		cmocka_unit_test(negotiation_refusals),
		cmocka_unit_test(malformed),
		cmocka_unit_test(server_names),
		cmocka_unit_test(every_verdict_has_words),
		cmocka_unit_test(exporter_context),
		cmocka_unit_test(wolfssl_address_texts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

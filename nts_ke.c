/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nts_ke.c - the NTS-KE messages of RFC 8915 section 4, client side: what
 * we send, and what we accept of the server's response.  Pure functions.
 */
#include <string.h>

#include "fmt.h"
#include "ntp_packet.h"
#include "nts_ke.h"

#define ID_LEN		2	/* a protocol, AEAD, error or warning id */
#define CONTEXT_DIR	4	/* the direction: after two ids */

static size_t
put_record(uint8_t *p, unsigned type, const uint8_t *body, uint16_t len)
{
	ntp_put16(p, (uint16_t)type);
	ntp_put16(p + 2, len);
	if (len > 0)
		memcpy(p + NTS_KE_HDR_LEN, body, len);
	return NTS_KE_HDR_LEN + (size_t)len;
}

/*
 * RFC 8915 section 4.1.2: the client MUST send exactly one NTS Next
 * Protocol Negotiation record, Critical bit set; section 4.1.5: with
 * NTPv4 offered, exactly one AEAD Algorithm Negotiation record (which may
 * be critical: it is not, as chrony's); section 4.1.1: End of Message,
 * critical, exactly once and last.  We offer NTPv4 and AES-SIV-CMAC-256,
 * the one AEAD every NTS implementation must support (section 5.1).
 */
size_t
nts_ke_request(uint8_t buf[NTS_KE_REQUEST_LEN])
{
	uint8_t id[ID_LEN];
	size_t n = 0;

	ntp_put16(id, NTS_KE_PROTO_NTPV4);
	n += put_record(buf + n, NTS_KE_CRITICAL | NTS_KE_NEXT_PROTOCOL, id,
	    ID_LEN);
	ntp_put16(id, NTS_KE_AEAD_AES_SIV_CMAC_256);
	n += put_record(buf + n, NTS_KE_AEAD, id, ID_LEN);
	n += put_record(buf + n, NTS_KE_CRITICAL | NTS_KE_END, NULL, 0);
	return n;
}

/*
 * Section 4: a message is a sequence of records ending with End of
 * Message.  Only the headers are read: the TLS reader needs the length.
 */
size_t
nts_ke_complete(const uint8_t *buf, size_t len)
{
	size_t off = 0, body;

	while (len - off >= NTS_KE_HDR_LEN) {
		body = ntp_get16(buf + off + 2);
		if ((ntp_get16(buf + off) & NTS_KE_TYPE_MASK) == NTS_KE_END)
			return len - off - NTS_KE_HDR_LEN >= body ?
			    off + NTS_KE_HDR_LEN + body : 0;
		if (len - off - NTS_KE_HDR_LEN < body)
			return 0;
		off += NTS_KE_HDR_LEN + body;
	}
	return 0;
}

/*
 * Section 4.1.7: "an ASCII-encoded string" that is a fully qualified
 * domain name (IDNA2008 A-labels: letters, digits, hyphens and dots), an
 * IPv4 address or an IPv6 address (RFC 5952: hex digits and colons).
 * Anything else would reach the resolver or a log line unchecked.
 */
static int
server_name_ok(const uint8_t *p, size_t len)
{
	size_t i;
	uint8_t c;

	if (len == 0 || len > NTS_KE_SERVER_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':'))
			return 0;
	}
	return 1;
}

/*
 * The id a Next Protocol or AEAD record agrees on: `want` when it lists
 * only that id, else the first other one (-1 for an empty list).
 */
static int
agreed_id(const uint8_t *p, size_t len, uint16_t want)
{
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i += ID_LEN)
		if (ntp_get16(p + i) != want)
			return ntp_get16(p + i);
	return want;
}

/* One record of the response; NTS_KE_OK to go on with the next one. */
static enum nts_ke_verdict
record(struct nts_ke_response *r, unsigned type, int critical,
    const uint8_t *p, size_t len, unsigned *seen)
{
	/*
	 * Section 4.1.2: the server MUST send exactly one Next Protocol
	 * record; 4.1.5: with NTPv4, exactly one AEAD record; 4.1.7, 4.1.8:
	 * at most one server and one port record.
	 */
	if ((type == NTS_KE_NEXT_PROTOCOL || type == NTS_KE_AEAD ||
	    type == NTS_KE_SERVER || type == NTS_KE_PORT_REC) &&
	    (*seen & 1u << type))
		return NTS_KE_DUPLICATE;
	if (type <= NTS_KE_PORT_REC)
		*seen |= 1u << type;
	switch (type) {
	case NTS_KE_NEXT_PROTOCOL:
		/*
		 * Section 4.1.2: the server's ids are a subset of ours (NTPv4
		 * alone); an empty list says it supports none of them.
		 */
		if (len % ID_LEN != 0)
			return NTS_KE_BAD_LENGTH;
		r->protocol = agreed_id(p, len, NTS_KE_PROTO_NTPV4);
		return NTS_KE_OK;
	case NTS_KE_AEAD:
		/* Section 4.1.5: the server picks from ours: only ours. */
		if (len % ID_LEN != 0)
			return NTS_KE_BAD_LENGTH;
		r->aead = agreed_id(p, len, NTS_KE_AEAD_AES_SIV_CMAC_256);
		return NTS_KE_OK;
	case NTS_KE_ERROR:
		/* Section 4.1.3: a 16-bit error code. */
		if (len != ID_LEN)
			return NTS_KE_BAD_LENGTH;
		if (r->error < 0)
			r->error = ntp_get16(p);
		return NTS_KE_OK;
	case NTS_KE_WARNING:
		/* Section 4.1.4: a 16-bit warning code. */
		if (len != ID_LEN)
			return NTS_KE_BAD_LENGTH;
		if (r->nwarnings < NTS_KE_WARNINGS_MAX)
			r->warnings[r->nwarnings] = ntp_get16(p);
		r->nwarnings++;
		return NTS_KE_OK;
	case NTS_KE_COOKIE:
		/*
		 * Section 4.1.6: the body is one cookie, opaque to us.  An
		 * empty or oversized one, or one after the eighth, is
		 * ignored (as chrony's client does): the others still serve.
		 */
		if (len > 0 && len <= NTS_COOKIE_MAX &&
		    r->ncookies < NTS_COOKIES_MAX) {
			r->cookies[r->ncookies].len = (uint16_t)len;
			memcpy(r->cookies[r->ncookies].bytes, p, len);
			r->ncookies++;
		}
		return NTS_KE_OK;
	case NTS_KE_SERVER:
		if (!server_name_ok(p, len))
			return NTS_KE_BAD_SERVER;
		memcpy(r->server, p, len);
		r->server[len] = '\0';
		return NTS_KE_OK;
	case NTS_KE_PORT_REC:
		/* Section 4.1.8: a 16-bit port; 0 is no UDP port to send to. */
		if (len != ID_LEN)
			return NTS_KE_BAD_LENGTH;
		r->port = ntp_get16(p);
		return r->port == 0 ? NTS_KE_BAD_PORT : NTS_KE_OK;
	default:
		/*
		 * Section 4: a record type we do not know is ignored, unless
		 * its Critical bit is set: then the response is refused.
		 */
		return critical ? NTS_KE_CRITICAL_TYPE : NTS_KE_OK;
	}
}

enum nts_ke_verdict
nts_ke_parse(const uint8_t *buf, size_t len, struct nts_ke_response *r)
{
	enum nts_ke_verdict v;
	unsigned seen = 0, word, type;
	size_t off = 0, body;

	memset(r, 0, sizeof(*r));
	r->protocol = -1;
	r->aead = -1;
	r->error = -1;
	for (;;) {
		if (off == len)
			return NTS_KE_NO_END;
		if (len - off < NTS_KE_HDR_LEN)
			return NTS_KE_TRUNCATED;
		word = ntp_get16(buf + off);
		type = word & NTS_KE_TYPE_MASK;
		body = ntp_get16(buf + off + 2);
		r->type = (uint16_t)type;
		if (len - off - NTS_KE_HDR_LEN < body)
			return NTS_KE_TRUNCATED;
		off += NTS_KE_HDR_LEN;
		if (type == NTS_KE_END)
			break;
		v = record(r, type, (word & NTS_KE_CRITICAL) != 0, buf + off,
		    body, &seen);
		if (v != NTS_KE_OK)
			return v;
		off += body;
	}
	/* Section 4.1.1: End of Message has an empty body, and is last. */
	if (body != 0)
		return NTS_KE_BAD_LENGTH;
	if (off != len)
		return NTS_KE_AFTER_END;
	/*
	 * Section 4.1.3: after an Error record the client MUST discard the
	 * keys and MUST NOT proceed to the next protocol.  Section 4.1.4:
	 * after a Warning it MAY do so, and unrecognized warning codes MUST
	 * be treated as errors: no code is defined, so every one is
	 * unrecognized (chrony's client refuses any Warning too).
	 */
	if (r->error >= 0)
		return NTS_KE_SERVER_ERROR;
	if (r->nwarnings > 0)
		return NTS_KE_SERVER_WARNING;
	if (!(seen & 1u << NTS_KE_NEXT_PROTOCOL))
		return NTS_KE_NO_PROTOCOL;
	if (r->protocol != NTS_KE_PROTO_NTPV4)
		return NTS_KE_NOT_NTPV4;
	if (!(seen & 1u << NTS_KE_AEAD))
		return NTS_KE_NO_AEAD;
	if (r->aead != NTS_KE_AEAD_AES_SIV_CMAC_256)
		return NTS_KE_BAD_AEAD;
	if (r->ncookies == 0)
		return NTS_KE_NO_COOKIES;
	return NTS_KE_OK;
}

/* Section 4.1.3 (IANA's "NTS Error Codes"). */
const char *
nts_ke_error_name(unsigned code)
{
	switch (code) {
	case NTS_KE_ERR_UNRECOGNIZED:
		return "unrecognized critical record";
	case NTS_KE_ERR_BAD_REQUEST:
		return "bad request";
	case NTS_KE_ERR_INTERNAL:
		return "internal server error";
	default:
		return "?";
	}
}

const char *
nts_ke_words(enum nts_ke_verdict v, const struct nts_ke_response *r,
    char *buf, size_t size)
{
	const char *s = "?";

	switch (v) {
	case NTS_KE_OK:
		s = "a usable NTS-KE response";
		break;
	case NTS_KE_TRUNCATED:
		s = "an NTS-KE record is truncated";
		break;
	case NTS_KE_NO_END:
		s = "the NTS-KE response has no End of Message record";
		break;
	case NTS_KE_AFTER_END:
		s = "bytes after the NTS-KE End of Message record";
		break;
	case NTS_KE_BAD_LENGTH:
		str_fmt(buf, size, "NTS-KE record type %u has a body of the "
		    "wrong length", (unsigned)r->type);
		return buf;
	case NTS_KE_DUPLICATE:
		str_fmt(buf, size, "NTS-KE record type %u sent twice (the RFC "
		    "allows one)", (unsigned)r->type);
		return buf;
	case NTS_KE_CRITICAL_TYPE:
		str_fmt(buf, size, "unrecognized critical NTS-KE record type "
		    "%u", (unsigned)r->type);
		return buf;
	case NTS_KE_BAD_SERVER:
		s = "the NTPv4 Server Negotiation record is not a host name or "
		    "an address";
		break;
	case NTS_KE_BAD_PORT:
		s = "the NTPv4 Port Negotiation record says port 0";
		break;
	case NTS_KE_SERVER_ERROR:
		str_fmt(buf, size, "the server sent an NTS-KE Error record: "
		    "%s (%d)", nts_ke_error_name((unsigned)r->error),
		    r->error);
		return buf;
	case NTS_KE_SERVER_WARNING:
		str_fmt(buf, size, "the server sent an NTS-KE Warning record "
		    "(code %u): no warning code is defined, so it is an "
		    "error", (unsigned)r->warnings[0]);
		return buf;
	case NTS_KE_NO_PROTOCOL:
		s = "the NTS-KE response has no Next Protocol record";
		break;
	case NTS_KE_NOT_NTPV4:
		s = "no NTPv4 in the Next Protocol record (the server "
		    "supports none of the protocols we asked for)";
		break;
	case NTS_KE_NO_AEAD:
		s = "the NTS-KE response has no AEAD Algorithm record";
		break;
	case NTS_KE_BAD_AEAD:
		str_fmt(buf, size, "AEAD not AES-SIV-CMAC-256 (%d)", r->aead);
		return buf;
	case NTS_KE_NO_COOKIES:
		s = "no cookies in the NTS-KE response";
		break;
	case NTS_KE_VERDICT_COUNT:
		break;
	}
	str_fmt(buf, size, "%s", s);
	return buf;
}

/*
 * Section 5.1: the exporter's context is the Protocol ID (2 octets), the
 * AEAD Algorithm ID (2 octets), then 0x00 for the C2S key or 0x01 for S2C.
 */
void
nts_ke_context(uint8_t out[NTS_KE_CONTEXT_LEN], uint16_t protocol,
    uint16_t aead, uint8_t direction)
{
	ntp_put16(out, protocol);
	ntp_put16(out + ID_LEN, aead);
	out[CONTEXT_DIR] = direction;
}

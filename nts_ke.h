/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nts_ke.h - the NTS Key Establishment messages (RFC 8915 section 4): the
 * client's request, whether a response has arrived whole, the response
 * parsed and judged, and the TLS exporter's context (section 5.1).  Pure:
 * bytes in, values out; no TLS, no crypto, no I/O.
 */
#ifndef NTPSYNC_NTS_KE_H
#define NTPSYNC_NTS_KE_H

#include <stddef.h>
#include <stdint.h>

/* RFC 8915 section 4: the TCP port of NTS-KE and its TLS ALPN id. */
#define NTS_KE_PORT		4460
#define NTS_KE_PORT_STR		"4460"
#define NTS_KE_ALPN		"ntske/1"
/* Section 5.1: the label of the TLS exporter (RFC 5705) for the keys. */
#define NTS_KE_EXPORTER_LABEL	"EXPORTER-network-time-security"

/* Section 4: a record is Critical bit | Record Type (15 bits) | Body Length. */
#define NTS_KE_HDR_LEN		4
#define NTS_KE_CRITICAL		0x8000u
#define NTS_KE_TYPE_MASK	0x7fffu

/* Record types (section 4.1, IANA's "NTS Key Establishment Record Types"). */
#define NTS_KE_END		0	/* End of Message */
#define NTS_KE_NEXT_PROTOCOL	1	/* NTS Next Protocol Negotiation */
#define NTS_KE_ERROR		2
#define NTS_KE_WARNING		3
#define NTS_KE_AEAD		4	/* AEAD Algorithm Negotiation */
#define NTS_KE_COOKIE		5	/* New Cookie for NTPv4 */
#define NTS_KE_SERVER		6	/* NTPv4 Server Negotiation */
#define NTS_KE_PORT_REC		7	/* NTPv4 Port Negotiation */

/* Section 4.1.2: NTS Next Protocol ids; section 4.1.5: AEAD ids (RFC 5116). */
#define NTS_KE_PROTO_NTPV4	0
#define NTS_KE_AEAD_AES_SIV_CMAC_256 15

/* Section 4.1.3: Error codes. */
#define NTS_KE_ERR_UNRECOGNIZED	0	/* Unrecognized Critical Record */
#define NTS_KE_ERR_BAD_REQUEST	1
#define NTS_KE_ERR_INTERNAL	2	/* Internal Server Error */

/* Next Protocol (NTPv4), AEAD (AES-SIV-CMAC-256), End of Message. */
#define NTS_KE_REQUEST_LEN	(3 * NTS_KE_HDR_LEN + 2 + 2)

/*
 * What we keep of a response.  Servers send 8 cookies (RFC 8915 section
 * 4.1.6 says they SHOULD); chrony's are about 100 bytes, and chrony's
 * client keeps at most 8 of at most 256 bytes: so do we, and ignore the
 * rest.  A host name has at most 253 characters (RFC 1035), an IPv6
 * address in text fewer.
 */
#define NTS_COOKIES_MAX		8
#define NTS_COOKIE_MAX		256
#define NTS_KE_SERVER_MAX	253
#define NTS_KE_WARNINGS_MAX	4

/* Section 5.1: Protocol ID (2 octets) || AEAD ID (2 octets) || direction. */
#define NTS_KE_CONTEXT_LEN	5
#define NTS_KE_C2S		0x00	/* the client-to-server key */
#define NTS_KE_S2C		0x01	/* the server-to-client key */

struct nts_cookie {
	uint16_t	len;
	uint8_t		bytes[NTS_COOKIE_MAX];
};

struct nts_ke_response {
	int		protocol;	/* the Next Protocol id, -1: none */
	int		aead;		/* the AEAD id, -1: none */
	struct nts_cookie cookies[NTS_COOKIES_MAX];
	size_t		ncookies;
	char		server[NTS_KE_SERVER_MAX + 1];	/* "": the KE host */
	uint16_t	port;		/* 0: NTP's port 123 */
	int		error;		/* the Error record's code, -1: none */
	uint16_t	warnings[NTS_KE_WARNINGS_MAX];
	size_t		nwarnings;	/* all Warning records, even unkept */
	uint16_t	type;		/* the record a verdict is about */
};

/* Why a response is refused; NTS_KE_OK when it is not. */
enum nts_ke_verdict {
	NTS_KE_OK = 0,
	NTS_KE_TRUNCATED,	/* a record runs past the end */
	NTS_KE_NO_END,		/* no End of Message record */
	NTS_KE_AFTER_END,	/* bytes after End of Message */
	NTS_KE_BAD_LENGTH,	/* a record's body has the wrong length */
	NTS_KE_DUPLICATE,	/* a record the RFC allows once came twice */
	NTS_KE_CRITICAL_TYPE,	/* an unrecognized critical record type */
	NTS_KE_BAD_SERVER,	/* the server record is not a host or address */
	NTS_KE_BAD_PORT,	/* the port record says 0 */
	NTS_KE_SERVER_ERROR,	/* the server sent an Error record */
	NTS_KE_SERVER_WARNING,	/* the server sent a Warning record */
	NTS_KE_NO_PROTOCOL,	/* no Next Protocol record */
	NTS_KE_NOT_NTPV4,	/* the Next Protocol record is not NTPv4 */
	NTS_KE_NO_AEAD,		/* no AEAD record */
	NTS_KE_BAD_AEAD,	/* the AEAD is not AES-SIV-CMAC-256 */
	NTS_KE_NO_COOKIES,	/* no cookie we can use */
	NTS_KE_VERDICT_COUNT
};

/* The client's request (section 4); returns NTS_KE_REQUEST_LEN. */
size_t	nts_ke_request(uint8_t buf[NTS_KE_REQUEST_LEN]);

/*
 * Whether buf's len bytes hold a whole message: the length up to and with
 * its End of Message record, or 0 when more bytes are needed.
 */
size_t	nts_ke_complete(const uint8_t *buf, size_t len);

/* The response's len bytes (what nts_ke_complete counted) into r. */
enum nts_ke_verdict nts_ke_parse(const uint8_t *buf, size_t len,
	    struct nts_ke_response *r);

/* The verdict in words, with r's details, into buf; returns buf. */
#define NTS_KE_WORDS_LEN	160
const char *nts_ke_words(enum nts_ke_verdict v,
	    const struct nts_ke_response *r, char *buf, size_t size);

/* Words for an Error record's code ("bad request"), "?" if unknown. */
const char *nts_ke_error_name(unsigned code);

/* The exporter's context for one direction (NTS_KE_C2S or NTS_KE_S2C). */
void	nts_ke_context(uint8_t out[NTS_KE_CONTEXT_LEN], uint16_t protocol,
	    uint16_t aead, uint8_t direction);

#endif /* NTPSYNC_NTS_KE_H */

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/tls_probe.c - tls_ke() (tls.c) against one NTS-KE server, for the
 * integration group "tls":
 *
 *   tls-probe [-X] [-c CA_FILE] [-t VERIFY_TIME] [-w TIMEOUT_MS] NAME ADDRESS PORT
 *
 * sends RFC 8915's smallest request (NTPv4, AEAD_AES_SIV_CMAC_256, End of
 * Message), and prints either
 *   ok: N bytes, records T,T,...; c2s N bytes, s2c N bytes, keys differ
 * (the response's record types up to End of Message; no key bytes) or
 *   refused: REASON (STAGE; DETAIL)
 * and exits 0 or 1 (2: bad arguments).  VERIFY_TIME is seconds since 1970
 * (default: now).  -X exports with an empty context instead of RFC 8915's and
 * prints that key in hex too ("exported: HEX"), to be compared with what
 * `openssl s_server -keymatexport` exports: a test of the exporter itself.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tls.h"

/* RFC 8915 section 4: a record is a 16-bit type (top bit: critical) and a 16-bit length. */
#define REC_HDR_LEN		4
#define REC_TYPE_MASK		0x7fff
#define REC_END_OF_MESSAGE	0
/* RFC 8915 section 5.1: the exporter context is Next Protocol, AEAD and 0 or 1. */
#define NEXT_PROTO_NTPV4	0x00, 0x00
#define AEAD_AES_SIV_CMAC_256	0x00, 0x0f
#define CTX_C2S			0x00
#define CTX_S2C			0x01
#define KEY_LEN			32	/* AEAD_AES_SIV_CMAC_256 (RFC 5297) */
#define RESP_MAX		65536

/*
 * RFC 8915 section 4: Next Protocol Negotiation (1) offering NTPv4 (0),
 * AEAD Algorithm Negotiation (4) offering 15, End of Message (0); all critical.
 */
static const uint8_t request[] = {
	0x80, 0x01, 0x00, 0x02, NEXT_PROTO_NTPV4,
	0x80, 0x04, 0x00, 0x02, AEAD_AES_SIV_CMAC_256,
	0x80, 0x00, 0x00, 0x00,
};

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The length of the records up to End of Message, 0 while it has not come. */
static size_t
complete(const uint8_t *buf, size_t len)
{
	size_t off, body;

	for (off = 0; off + REC_HDR_LEN <= len; off += REC_HDR_LEN + body) {
		body = get16(buf + off + 2);
		if ((get16(buf + off) & REC_TYPE_MASK) == REC_END_OF_MESSAGE)
			return off + REC_HDR_LEN;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: tls-probe [-X] [-c CA_FILE] [-t VERIFY_TIME] [-w TIMEOUT_MS] "
	    "NAME ADDRESS PORT\n");
	exit(2);
}

static long long
number(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < 0)
		usage();
	return v;
}

static void
print_detail(const struct tls_error *e)
{
	switch (e->status) {
	case TLS_ERR_CA_FILE:
	case TLS_ERR_SOCKET:
	case TLS_ERR_CONNECT:
	case TLS_ERR_IO:
		printf("%s", strerror(e->detail));
		break;
	case TLS_ERR_ALERT:
	case TLS_ERR_VERSION:
	case TLS_ERR_ALPN:
		printf("alert or code %d", e->detail);
		break;
	default:
		printf("code %d", e->detail);
		break;
	}
}

int
main(int argc, char **argv)
{
	static const uint8_t ctx_c2s[] = { NEXT_PROTO_NTPV4, AEAD_AES_SIV_CMAC_256, CTX_C2S };
	static const uint8_t ctx_s2c[] = { NEXT_PROTO_NTPV4, AEAD_AES_SIV_CMAC_256, CTX_S2C };
	static uint8_t resp[RESP_MAX];
	uint8_t c2s[KEY_LEN], s2c[KEY_LEN];
	union {
		struct sockaddr		sa;
		struct sockaddr_in	in;
		struct sockaddr_in6	in6;
	} addr;
	struct tls_ke_cfg cfg;
	struct tls_error err;
	size_t len, off, body, end, ctxlen, i;
	long long port;
	int opt, show_key = 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.ca_file = TLS_DEFAULT_CA_FILE;
	cfg.verify_time = time(NULL);
	cfg.timeout_ns = 5000LL * 1000000;
	while ((opt = getopt(argc, argv, "Xc:t:w:")) != -1) {
		switch (opt) {
		case 'X':
			show_key = 1;
			break;
		case 'c':
			cfg.ca_file = optarg;
			break;
		case 't':
			cfg.verify_time = (time_t)number(optarg);
			break;
		case 'w':
			cfg.timeout_ns = number(optarg) * 1000000;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 3)
		usage();
	cfg.name = argv[optind];
	port = number(argv[optind + 2]);
	if (port > UINT16_MAX)
		usage();
	memset(&addr, 0, sizeof(addr));
	if (inet_pton(AF_INET, argv[optind + 1], &addr.in.sin_addr) == 1) {
		addr.in.sin_family = AF_INET;
		addr.in.sin_port = htons((uint16_t)port);
		cfg.addrlen = sizeof(addr.in);
	} else if (inet_pton(AF_INET6, argv[optind + 1], &addr.in6.sin6_addr) == 1) {
		addr.in6.sin6_family = AF_INET6;
		addr.in6.sin6_port = htons((uint16_t)port);
		cfg.addrlen = sizeof(addr.in6);
	} else {
		usage();
	}
	cfg.addr = &addr.sa;

	ctxlen = show_key ? 0 : sizeof(ctx_c2s);
	if (tls_ke(&cfg, request, sizeof(request), resp, sizeof(resp), &len, complete,
	    ctx_c2s, ctx_s2c, ctxlen, c2s, s2c, sizeof(c2s), &err) == -1) {
		printf("refused: %s (%s; ", tls_reason(err.status), tls_stage_name(err.stage));
		print_detail(&err);
		printf(")\n");
		return 1;
	}
	end = complete(resp, len);
	printf("ok: %zu bytes, records ", len);
	for (off = 0; off < end; off += REC_HDR_LEN + body) {
		body = get16(resp + off + 2);
		printf("%s%u", off == 0 ? "" : ",", (unsigned)(get16(resp + off) & REC_TYPE_MASK));
	}
	printf("; c2s %zu bytes, s2c %zu bytes, keys %s\n", sizeof(c2s), sizeof(s2c),
	    memcmp(c2s, s2c, sizeof(c2s)) != 0 ? "differ" : "EQUAL");
	if (show_key) {
		printf("exported: ");
		for (i = 0; i < sizeof(c2s); i++)
			printf("%02X", c2s[i]);
		printf("\n");
	}
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls.h - the TLS edge of NTS-KE (RFC 8915 section 4): one TCP connection,
 * a TLS 1.3 handshake that must select ALPN "ntske/1" and present a
 * certificate for the given name or address, trusted by the given PEM
 * bundle and valid at the given time; one request written, the response
 * read until the caller says it is complete, and the two NTS keys exported
 * (RFC 8915 section 5.1).  It knows nothing of NTS-KE records and prints
 * nothing: a failure comes back as a reason (tls_reason()) and a detail.
 * Built only with NTS (make NTS=1, on the wolfSSL of toolchains/wolfssl-nts.sh).
 */
#ifndef NTPSYNC_TLS_H
#define NTPSYNC_TLS_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* RFC 8915 section 4: the NTS-KE protocol's ALPN identifier. */
#define TLS_KE_ALPN		"ntske/1"
/* RFC 8915 section 5.1: the label both keys are exported with. */
#define TLS_KE_EXPORTER_LABEL	"EXPORTER-network-time-security"
/* Where the trusted certificates are when no -c FILE is given. */
#define TLS_DEFAULT_CA_FILE	"/etc/ssl/certs/ca-certificates.crt"

/*
 * Why tls_ke() failed; tls_reason() gives the words.  The detail in
 * struct tls_error is the errno for TLS_ERR_CA_FILE, TLS_ERR_SOCKET,
 * TLS_ERR_CONNECT and TLS_ERR_IO; the TLS alert number for TLS_ERR_ALERT,
 * and for TLS_ERR_VERSION and TLS_ERR_ALPN when an alert said so (70,
 * 120); wolfSSL's error code for the others (0 if none).
 */
enum tls_status {
	TLS_OK = 0,
	TLS_ERR_CA_FILE,	/* the CA file cannot be read */
	TLS_ERR_CA_NONE,	/* no usable certificate in the CA file */
	TLS_ERR_SOCKET,		/* no socket */
	TLS_ERR_CONNECT,	/* TCP connect failed (refused, unreachable) */
	TLS_ERR_TIMEOUT,	/* nothing in time (stage: connecting, TLS, response) */
	TLS_ERR_IO,		/* send or receive failed */
	TLS_ERR_CLOSED,		/* the server closed before the response was complete */
	TLS_ERR_VERSION,	/* the server does not speak TLS 1.3 */
	TLS_ERR_UNTRUSTED,	/* the certificate chain does not end in the CA file */
	TLS_ERR_NAME,		/* the certificate is not for that name or address */
	TLS_ERR_EXPIRED,	/* a certificate had expired at the verification time */
	TLS_ERR_NOT_YET_VALID,	/* a certificate was not yet valid at that time */
	TLS_ERR_BAD_CERT,	/* a certificate that cannot be parsed or checked */
	TLS_ERR_ALPN,		/* the server did not select "ntske/1" */
	TLS_ERR_ALERT,		/* the server ended the handshake with an alert */
	TLS_ERR_PROTOCOL,	/* any other TLS failure (wolfSSL error code) */
	TLS_ERR_TOO_LONG,	/* the response does not fit the buffer */
	TLS_ERR_EXPORT,		/* the keys could not be exported */
	TLS_ERR_INTERNAL,	/* wolfSSL could not be set up (memory) */
	TLS_STATUS_COUNT
};

/* Where a TLS_ERR_TIMEOUT happened. */
enum tls_stage {
	TLS_STAGE_CA,
	TLS_STAGE_CONNECT,
	TLS_STAGE_HANDSHAKE,
	TLS_STAGE_REQUEST,
	TLS_STAGE_RESPONSE
};

struct tls_error {
	enum tls_status	status;
	enum tls_stage	stage;		/* where it failed */
	int		detail;		/* errno, alert or wolfSSL code (above) */
};

struct tls_ke_cfg {
	/*
	 * The server's name or address as the user gave it: a name is sent
	 * as SNI and must be in the certificate's DNS names (or CN); an
	 * IPv4 or IPv6 literal must be one of its IP addresses.
	 */
	const char		*name;
	const struct sockaddr	*addr;		/* where to connect (with port) */
	socklen_t		 addrlen;
	const char		*ca_file;	/* PEM bundle of trust anchors (or pins) */
	/* Certificates are checked as valid at this time, not the clock's. */
	time_t			 verify_time;
	int64_t			 timeout_ns;	/* for the whole exchange */
};

/* The longest exported key (RFC 8915: the AEAD's key length). */
#define TLS_KE_KEY_MAX		64

/*
 * NTS-KE with cfg's server: connect, handshake, write req[0..reqlen),
 * read into resp (at most cap bytes) until complete(resp, n) returns
 * non-zero (it is called after every read with everything read so far),
 * then export c2s and s2c (keylen bytes each, at most TLS_KE_KEY_MAX)
 * with TLS_KE_EXPORTER_LABEL and the contexts ctx_c2s and ctx_s2c
 * (ctxlen bytes each).  Returns 0 with *resplen set, or -1 with *err
 * filled in.
 */
int		 tls_ke(const struct tls_ke_cfg *cfg, const uint8_t *req, size_t reqlen,
		    uint8_t *resp, size_t cap, size_t *resplen,
		    size_t (*complete)(const uint8_t *buf, size_t len),
		    const uint8_t *ctx_c2s, const uint8_t *ctx_s2c, size_t ctxlen,
		    uint8_t *c2s, uint8_t *s2c, size_t keylen, struct tls_error *err);

/* The words for a status ("untrusted certificate", ...) and for a stage. */
const char	*tls_reason(enum tls_status status);
const char	*tls_stage_name(enum tls_stage stage);

#endif /* NTPSYNC_TLS_H */

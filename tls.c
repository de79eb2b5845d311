/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls.c - NTS-KE's TLS 1.3 connection on wolfSSL (toolchains/wolfssl-nts.sh).
 * A non-blocking TCP socket, every wait in ppoll() against one deadline;
 * wolfSSL's own socket I/O (wolfio.c) on it.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include "fmt.h"
#include "tls.h"

#define NS_PER_SEC		1000000000LL
/* The largest CA file read: Debian's whole bundle is about 200 KB. */
#define CA_FILE_MAX		(4L * 1024 * 1024)
/* RFC 8446 section 6: the alerts that have a reason of their own. */
#define ALERT_PROTOCOL_VERSION	70
#define ALERT_NO_APP_PROTOCOL	120
/*
 * wolfSSL's text for an IPv6 address in a certificate (asn.c): "%02X%02X" for
 * each of the 8 groups, ':' between them; 40 bytes with the NUL.
 */
#define IP6_MATCH_LEN		40

static const char *const reasons[TLS_STATUS_COUNT] = {
	[TLS_OK]		= "success",
	[TLS_ERR_CA_FILE]	= "cannot read the CA file",
	[TLS_ERR_CA_NONE]	= "no usable certificate in the CA file",
	[TLS_ERR_SOCKET]	= "cannot create a socket",
	[TLS_ERR_CONNECT]	= "cannot connect",
	[TLS_ERR_TIMEOUT]	= "timed out",
	[TLS_ERR_IO]		= "connection failed",
	[TLS_ERR_CLOSED]	= "the server closed the connection early",
	[TLS_ERR_VERSION]	= "the server does not speak TLS 1.3",
	[TLS_ERR_UNTRUSTED]	= "untrusted certificate (not signed by a certificate in the CA file)",
	[TLS_ERR_NAME]		= "the certificate is not for that name or address",
	[TLS_ERR_EXPIRED]	= "certificate expired at the verification time",
	[TLS_ERR_NOT_YET_VALID]	= "certificate not yet valid at the verification time",
	[TLS_ERR_BAD_CERT]	= "bad certificate",
	/* NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one string, with the ALPN in it */
	[TLS_ERR_ALPN]		= "the server did not select ALPN \"" TLS_KE_ALPN "\"",
	[TLS_ERR_ALERT]		= "the server sent a TLS alert",
	[TLS_ERR_PROTOCOL]	= "TLS protocol error",
	[TLS_ERR_TOO_LONG]	= "response too long",
	[TLS_ERR_EXPORT]	= "cannot export the keys",
	[TLS_ERR_INTERNAL]	= "cannot set up TLS",
};

static const char *const stages[] = {
	[TLS_STAGE_CA]		= "loading the CA file",
	[TLS_STAGE_CONNECT]	= "connecting",
	[TLS_STAGE_HANDSHAKE]	= "in the TLS handshake",
	[TLS_STAGE_REQUEST]	= "sending the request",
	[TLS_STAGE_RESPONSE]	= "reading the response",
};

const char *
tls_reason(enum tls_status status)
{
	if ((unsigned)status >= TLS_STATUS_COUNT)
		return "unknown";
	return reasons[status];
}

const char *
tls_stage_name(enum tls_stage stage)
{
	if ((unsigned)stage >= sizeof(stages) / sizeof(stages[0]))
		return "unknown";
	return stages[stage];
}

/*
 * wolfSSL asks for the time through a callback without a context
 * (wc_SetTimeCb): the verification time of the running tls_ke() is kept
 * here for it, and only while tls_ke() runs.
 */
static time_t verify_time;

static time_t
verify_time_cb(time_t *t)
{
	if (t != NULL)
		*t = verify_time;
	return verify_time;
}

static int
fail(struct tls_error *err, enum tls_status status, enum tls_stage stage, int detail)
{
	err->status = status;
	err->stage = stage;
	err->detail = detail;
	return -1;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* Waits until fd is ready for events or the deadline passes. */
static int
wait_fd(int fd, short events, int64_t deadline, enum tls_stage stage, struct tls_error *err)
{
	struct pollfd pfd;
	struct timespec wait;
	int64_t left;
	int n;

	for (;;) {
		left = deadline - now_ns();
		if (left <= 0)
			return fail(err, TLS_ERR_TIMEOUT, stage, 0);
		wait.tv_sec = (time_t)(left / NS_PER_SEC);
		wait.tv_nsec = (long)(left % NS_PER_SEC);
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = ppoll(&pfd, 1, &wait, NULL);
		if (n > 0)
			return 0;
		if (n == -1 && errno != EINTR)
			return fail(err, TLS_ERR_IO, stage, errno);
	}
}

/* The whole CA file in a buffer the caller frees. */
static int
read_ca_file(const char *path, unsigned char **buf, long *len, struct tls_error *err)
{
	struct stat st;
	ssize_t n = 0;
	long got;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return fail(err, TLS_ERR_CA_FILE, TLS_STAGE_CA, errno);
	if (fstat(fd, &st) == -1) {
		fail(err, TLS_ERR_CA_FILE, TLS_STAGE_CA, errno);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CA_FILE_MAX) {
		fail(err, TLS_ERR_CA_FILE, TLS_STAGE_CA, S_ISREG(st.st_mode) ? EFBIG :
		    S_ISDIR(st.st_mode) ? EISDIR : EINVAL);
		close(fd);
		return -1;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (*buf == NULL) {
		close(fd);
		return fail(err, TLS_ERR_INTERNAL, TLS_STAGE_CA, ENOMEM);
	}
	for (got = 0; got < (long)st.st_size; got += n) {
		n = read(fd, *buf + got, (size_t)(st.st_size - got));
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0)
			break;
	}
	if (got == 0 || got < (long)st.st_size) {
		fail(err, got == 0 ? TLS_ERR_CA_NONE : TLS_ERR_CA_FILE, TLS_STAGE_CA,
		    n == -1 ? errno : EIO);
		free(*buf);
		*buf = NULL;
		close(fd);
		return -1;
	}
	close(fd);
	*len = got;
	return 0;
}

/* TCP connect with fd non-blocking, until the deadline. */
static int
tcp_connect(const struct tls_ke_cfg *cfg, int64_t deadline, int *fdp, struct tls_error *err)
{
	socklen_t len;
	int fd, so_error, on = 1;

	fd = socket(cfg->addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return fail(err, TLS_ERR_SOCKET, TLS_STAGE_CONNECT, errno);
	*fdp = fd;
	/*
	 * NTS-KE is a few small TLS records each way: Nagle's algorithm held
	 * one back until the server's delayed ACK, some 40 ms of a 60 ms
	 * NTS-KE on loopback (make bench).  Without it, one fewer wait.
	 */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (connect(fd, cfg->addr, cfg->addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return fail(err, TLS_ERR_CONNECT, TLS_STAGE_CONNECT, errno);
	if (wait_fd(fd, POLLOUT, deadline, TLS_STAGE_CONNECT, err) == -1)
		return -1;
	so_error = 0;
	len = sizeof(so_error);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) == -1)
		return fail(err, TLS_ERR_CONNECT, TLS_STAGE_CONNECT, errno);
	if (so_error != 0)
		return fail(err, TLS_ERR_CONNECT, TLS_STAGE_CONNECT, so_error);
	return 0;
}

/*
 * The name wolfSSL matches against the certificate (wolfSSL_check_domain_name):
 * a name as it is; an address in the text wolfSSL makes of an iPAddress
 * entry (WOLFSSL_IP_ALT_NAME), so that "::1" matches it too.  *is_addr says
 * which: RFC 6066 section 3 does not allow an address as SNI.
 */
static void
match_name(const char *name, char *out, size_t outlen, int *is_addr)
{
	unsigned char a6[sizeof(struct in6_addr)];
	struct in_addr a4;
	const unsigned char *b;
	size_t i, o;
	static const char hex[] = "0123456789ABCDEF";

	*is_addr = 1;
	if (inet_pton(AF_INET, name, &a4) == 1) {
		b = (const unsigned char *)&a4.s_addr;
		str_fmt(out, outlen, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
		return;
	}
	if (inet_pton(AF_INET6, name, a6) == 1 && outlen >= IP6_MATCH_LEN) {
		for (i = 0, o = 0; i < sizeof(a6); i++) {
			out[o++] = hex[a6[i] >> 4];
			out[o++] = hex[a6[i] & 0xf];
			if (i % 2 == 1 && i + 1 < sizeof(a6))
				out[o++] = ':';
		}
		out[o] = '\0';
		return;
	}
	*is_addr = 0;
	out[0] = '\0';
}

/* What a failed wolfSSL call (its error e) means, with the alert if one came. */
static int
ssl_fail(WOLFSSL *ssl, int e, int saved_errno, enum tls_stage stage, struct tls_error *err)
{
	WOLFSSL_ALERT_HISTORY h;

	switch (e) {
	case ASN_AFTER_DATE_E:
		return fail(err, TLS_ERR_EXPIRED, stage, e);
	case ASN_BEFORE_DATE_E:
		return fail(err, TLS_ERR_NOT_YET_VALID, stage, e);
	case ASN_NO_SIGNER_E:
	case ASN_SELF_SIGNED_E:
		return fail(err, TLS_ERR_UNTRUSTED, stage, e);
	case DOMAIN_NAME_MISMATCH:
	case IPADDR_MISMATCH:
		return fail(err, TLS_ERR_NAME, stage, e);
	case VERSION_ERROR:
		return fail(err, TLS_ERR_VERSION, stage, e);
	case UNKNOWN_ALPN_PROTOCOL_NAME_E:
		return fail(err, TLS_ERR_ALPN, stage, e);
	case SOCKET_ERROR_E:
		return fail(err, TLS_ERR_IO, stage, saved_errno);
	case SOCKET_PEER_CLOSED_E:
	case ZERO_RETURN:
	case WOLFSSL_ERROR_ZERO_RETURN:
		return fail(err, TLS_ERR_CLOSED, stage, 0);
	case FATAL_ERROR:
		memset(&h, 0, sizeof(h));
		wolfSSL_get_alert_history(ssl, &h);
		if (h.last_rx.code == ALERT_PROTOCOL_VERSION)
			return fail(err, TLS_ERR_VERSION, stage, h.last_rx.code);
		if (h.last_rx.code == ALERT_NO_APP_PROTOCOL)
			return fail(err, TLS_ERR_ALPN, stage, h.last_rx.code);
		return fail(err, TLS_ERR_ALERT, stage, h.last_rx.code);
	default:
		/* wolfCrypt's certificate parsing and checking errors (asn.c). */
		if (e <= ASN_PARSE_E && e >= ASN_SELF_SIGNED_E)
			return fail(err, TLS_ERR_BAD_CERT, stage, e);
		return fail(err, TLS_ERR_PROTOCOL, stage, e);
	}
}

/* One wolfSSL operation on the non-blocking socket, waited for until the deadline. */
enum tls_op { OP_CONNECT, OP_WRITE, OP_READ };

static int
ssl_op(WOLFSSL *ssl, int fd, enum tls_op op, const void *wbuf, void *rbuf, int len,
    int64_t deadline, enum tls_stage stage, struct tls_error *err)
{
	int rc, e, saved_errno;

	for (;;) {
		errno = 0;
		if (op == OP_CONNECT)
			rc = wolfSSL_connect(ssl);
		else if (op == OP_WRITE)
			rc = wolfSSL_write(ssl, wbuf, len);
		else
			rc = wolfSSL_read(ssl, rbuf, len);
		saved_errno = errno;
		if (rc > 0)
			return rc;
		e = wolfSSL_get_error(ssl, rc);
		if (e == WOLFSSL_ERROR_WANT_READ) {
			if (wait_fd(fd, POLLIN, deadline, stage, err) == -1)
				return -1;
		} else if (e == WOLFSSL_ERROR_WANT_WRITE) {
			if (wait_fd(fd, POLLOUT, deadline, stage, err) == -1)
				return -1;
		} else {
			return ssl_fail(ssl, e, saved_errno, stage, err);
		}
	}
}

/* RFC 8915 section 4: the server must have selected "ntske/1". */
static int
alpn_ok(WOLFSSL *ssl)
{
	char *proto = NULL;
	unsigned short len = 0;

	return wolfSSL_ALPN_GetProtocol(ssl, &proto, &len) == WOLFSSL_SUCCESS &&
	    proto != NULL && len == sizeof(TLS_KE_ALPN) - 1 &&
	    memcmp(proto, TLS_KE_ALPN, len) == 0;
}

/* The request and the response on ssl after the handshake. */
static int
exchange(WOLFSSL *ssl, int fd, int64_t deadline, const uint8_t *req, size_t reqlen,
    uint8_t *resp, size_t cap, size_t *resplen,
    size_t (*complete)(const uint8_t *, size_t), struct tls_error *err)
{
	size_t n;
	int rc, chunk;

	if (reqlen > INT32_MAX)
		return fail(err, TLS_ERR_TOO_LONG, TLS_STAGE_REQUEST, 0);
	/* wolfSSL_write() returns only when all of it is written (or on error). */
	if (ssl_op(ssl, fd, OP_WRITE, req, NULL, (int)reqlen, deadline, TLS_STAGE_REQUEST,
	    err) == -1)
		return -1;
	for (n = 0;;) {
		if (n == cap)
			return fail(err, TLS_ERR_TOO_LONG, TLS_STAGE_RESPONSE, 0);
		chunk = cap - n > INT32_MAX ? INT32_MAX : (int)(cap - n);
		rc = ssl_op(ssl, fd, OP_READ, NULL, resp + n, chunk, deadline, TLS_STAGE_RESPONSE,
		    err);
		if (rc == -1)
			return -1;
		n += (size_t)rc;
		if (complete(resp, n) != 0)
			break;
	}
	*resplen = n;
	return 0;
}

/*
 * The handshake, then both keys from the TLS exporter, each with its
 * context (RFC 8915 section 5.1); wolfSSL's copy of the handshake secrets
 * (kept for the exporter: wolfSSL_KeepArrays) is wiped after.
 */
static int
handshake(WOLFSSL *ssl, int fd, int64_t deadline, const uint8_t *ctx_c2s,
    const uint8_t *ctx_s2c, size_t ctxlen, uint8_t *c2s, uint8_t *s2c, size_t keylen,
    struct tls_error *err)
{
	static const char label[] = TLS_KE_EXPORTER_LABEL;
	int ok;

	if (ssl_op(ssl, fd, OP_CONNECT, NULL, NULL, 0, deadline, TLS_STAGE_HANDSHAKE, err) == -1)
		return -1;
	if (!alpn_ok(ssl))
		return fail(err, TLS_ERR_ALPN, TLS_STAGE_HANDSHAKE, 0);
	ok = keylen <= TLS_KE_KEY_MAX &&
	    wolfSSL_export_keying_material(ssl, c2s, keylen, label, sizeof(label) - 1,
	    ctx_c2s, ctxlen, 1) == WOLFSSL_SUCCESS &&
	    wolfSSL_export_keying_material(ssl, s2c, keylen, label, sizeof(label) - 1,
	    ctx_s2c, ctxlen, 1) == WOLFSSL_SUCCESS;
	wolfSSL_FreeArrays(ssl);
	if (!ok)
		return fail(err, TLS_ERR_EXPORT, TLS_STAGE_HANDSHAKE, 0);
	return 0;
}

/* The context and connection, the trust anchors loaded, the name to check set. */
static int
setup(WOLFSSL_CTX **ctxp, WOLFSSL **sslp, const struct tls_ke_cfg *cfg,
    const unsigned char *ca, long calen, struct tls_error *err)
{
	char match[INET6_ADDRSTRLEN + IP6_MATCH_LEN];
	char alpn[] = TLS_KE_ALPN;	/* wolfSSL_UseALPN() wants it writable */
	int is_addr, rc;

	*ctxp = wolfSSL_CTX_new(wolfTLSv1_3_client_method());
	if (*ctxp == NULL)
		return fail(err, TLS_ERR_INTERNAL, TLS_STAGE_CONNECT, 0);
	wolfSSL_CTX_set_verify(*ctxp, WOLFSSL_VERIFY_PEER, NULL);
	/*
	 * A trust anchor must be valid at the verification time too: one that
	 * is not is left out (wolfSSL skips it); if none is left, the last
	 * one's reason is the answer (a pinned certificate that has expired).
	 */
	rc = wolfSSL_CTX_load_verify_buffer(*ctxp, ca, calen, WOLFSSL_FILETYPE_PEM);
	if (rc == ASN_AFTER_DATE_E)
		return fail(err, TLS_ERR_EXPIRED, TLS_STAGE_CA, rc);
	if (rc == ASN_BEFORE_DATE_E)
		return fail(err, TLS_ERR_NOT_YET_VALID, TLS_STAGE_CA, rc);
	if (rc != WOLFSSL_SUCCESS)
		return fail(err, TLS_ERR_CA_NONE, TLS_STAGE_CA, rc);
	*sslp = wolfSSL_new(*ctxp);
	if (*sslp == NULL)
		return fail(err, TLS_ERR_INTERNAL, TLS_STAGE_CONNECT, 0);
	wolfSSL_KeepArrays(*sslp);
	match_name(cfg->name, match, sizeof(match), &is_addr);
	if (!is_addr && (wolfSSL_UseSNI(*sslp, WOLFSSL_SNI_HOST_NAME, cfg->name,
	    (unsigned short)strnlen(cfg->name, UINT16_MAX)) != WOLFSSL_SUCCESS))
		return fail(err, TLS_ERR_INTERNAL, TLS_STAGE_CONNECT, 0);
	if (wolfSSL_check_domain_name(*sslp, is_addr ? match : cfg->name) != WOLFSSL_SUCCESS)
		return fail(err, TLS_ERR_INTERNAL, TLS_STAGE_CONNECT, 0);
	if (wolfSSL_UseALPN(*sslp, alpn, sizeof(alpn) - 1, WOLFSSL_ALPN_FAILED_ON_MISMATCH) !=
	    WOLFSSL_SUCCESS)
		return fail(err, TLS_ERR_INTERNAL, TLS_STAGE_CONNECT, 0);
	return 0;
}

int
tls_ke(const struct tls_ke_cfg *cfg, const uint8_t *req, size_t reqlen,
    uint8_t *resp, size_t cap, size_t *resplen,
    size_t (*complete)(const uint8_t *buf, size_t len),
    const uint8_t *ctx_c2s, const uint8_t *ctx_s2c, size_t ctxlen,
    uint8_t *c2s, uint8_t *s2c, size_t keylen, struct tls_error *err)
{
	WOLFSSL_CTX *ctx = NULL;
	WOLFSSL *ssl = NULL;
	unsigned char *ca = NULL;
	long calen = 0;
	int64_t deadline;
	int fd = -1, rc = -1, set;

	memset(err, 0, sizeof(*err));
	if (read_ca_file(cfg->ca_file, &ca, &calen, err) == -1)
		return -1;
	if (wolfSSL_Init() != WOLFSSL_SUCCESS) {
		free(ca);
		return fail(err, TLS_ERR_INTERNAL, TLS_STAGE_CONNECT, 0);
	}
	verify_time = cfg->verify_time;
	wc_SetTimeCb(verify_time_cb);
	set = setup(&ctx, &ssl, cfg, ca, calen, err);
	/*
	 * The timeout is the server's time, so it starts after setup():
	 * wolfSSL_new() seeds its DRBG from getrandom(), which at boot waits
	 * for the kernel's pool to be ready (over a second in the VM boot
	 * test, where it used up the whole default timeout).
	 */
	deadline = now_ns() + cfg->timeout_ns;
	if (set == 0 &&
	    tcp_connect(cfg, deadline, &fd, err) == 0 &&
	    wolfSSL_set_fd(ssl, fd) == WOLFSSL_SUCCESS &&
	    handshake(ssl, fd, deadline, ctx_c2s, ctx_s2c, ctxlen, c2s, s2c, keylen, err) == 0 &&
	    exchange(ssl, fd, deadline, req, reqlen, resp, cap, resplen, complete, err) == 0) {
		/*
		 * RFC 8446 section 6.1: close_notify before the connection is
		 * closed, one try on the non-blocking socket; the server's own
		 * is not waited for (RFC 8915 section 4: it closes after the
		 * response).
		 */
		(void)wolfSSL_shutdown(ssl);
		rc = 0;
	} else if (err->status == TLS_OK) {
		fail(err, TLS_ERR_INTERNAL, TLS_STAGE_CONNECT, 0);
	}
	wolfSSL_free(ssl);
	wolfSSL_CTX_free(ctx);
	wc_SetTimeCb(NULL);
	wolfSSL_Cleanup();
	if (fd != -1)
		close(fd);
	free(ca);
	return rc;
}

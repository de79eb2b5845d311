/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/ntske_bind.c - LD_PRELOADed into NTPsec's ntpd by tests/servers.sh.
 * ntpd 1.2.2 listens for NTS-KE on the wildcards, 0.0.0.0:4460 and [::]:4460,
 * whatever its "interface" lines say: that would take port 4460 from every
 * other NTS server on the sandbox's loopback (chronyd's on its own address).
 * Here a stream socket bound to a wildcard is bound instead to the address in
 * $NTSKE_BIND_ADDR (same port) when it is of that address's family, and to
 * the other family's loopback on a port of the kernel's choosing otherwise
 * (ntpd gives up on NTS if either listener fails; nobody connects to that
 * one).  Datagram sockets and specific addresses are left alone: ntpd's NTP
 * sockets follow its configuration.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);

static int
is_stream(int fd)
{
	int type = 0;
	socklen_t len = sizeof(type);

	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	    type == SOCK_STREAM;
}

int
bind(int fd, const struct sockaddr *sa, socklen_t salen)
{
	static bind_fn real_bind;
	const char *want = getenv("NTSKE_BIND_ADDR");
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;

	if (real_bind == NULL) {
		real_bind = (bind_fn)dlsym(RTLD_NEXT, "bind");
		if (real_bind == NULL) {
			errno = ENOSYS;
			return -1;
		}
	}
	if (want == NULL || sa == NULL || !is_stream(fd))
		return real_bind(fd, sa, salen);

	if (sa->sa_family == AF_INET && salen >= (socklen_t)sizeof(in4)) {
		memcpy(&in4, sa, sizeof(in4));
		if (in4.sin_addr.s_addr != htonl(INADDR_ANY))
			return real_bind(fd, sa, salen);
		if (inet_pton(AF_INET, want, &in4.sin_addr) != 1) {
			in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			in4.sin_port = 0;
		}
		return real_bind(fd, (const struct sockaddr *)&in4, sizeof(in4));
	}
	if (sa->sa_family == AF_INET6 && salen >= (socklen_t)sizeof(in6)) {
		memcpy(&in6, sa, sizeof(in6));
		if (!IN6_IS_ADDR_UNSPECIFIED(&in6.sin6_addr))
			return real_bind(fd, sa, salen);
		if (inet_pton(AF_INET6, want, &in6.sin6_addr) != 1) {
			in6.sin6_addr = in6addr_loopback;
			in6.sin6_port = 0;
		}
		return real_bind(fd, (const struct sockaddr *)&in6, sizeof(in6));
	}
	return real_bind(fd, sa, salen);
}

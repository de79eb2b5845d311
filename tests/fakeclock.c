/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/fakeclock.c - linked into build/ntpsync-fakeclock (and
 * build/ntpsync-nts-fakeclock) with -Wl,--wrap=clock_gettime and
 * -Wl,--wrap=recvmsg: CLOCK_REALTIME reads the real time plus the whole
 * seconds written in the file named by $NTPSYNC_FAKECLOCK, read anew on
 * every call, so that a test can make the clock jump while ntpsync runs
 * (as init setting the clock during -R or -W would).  The kernel's receive
 * timestamps (SCM_TIMESTAMPNS) are readings of the same clock and get the
 * same shift, or T4 would be on another clock than T1.  Only reading is
 * faked: the binary runs in the sandbox, under strace, like ntpsync.
 */
#include <sys/socket.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int __real_clock_gettime(clockid_t id, struct timespec *ts);
int __wrap_clock_gettime(clockid_t id, struct timespec *ts);
ssize_t __real_recvmsg(int fd, struct msghdr *msg, int flags);
ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags);

static long long
shift(void)
{
	const char *path = getenv("NTPSYNC_FAKECLOCK");
	char buf[32];
	ssize_t n;
	int fd;

	if (path == NULL || (fd = open(path, O_RDONLY)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

int
__wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
	int r = __real_clock_gettime(id, ts);

	if (r == 0 && id == CLOCK_REALTIME)
		ts->tv_sec += (time_t)shift();
	return r;
}

ssize_t
__wrap_recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t n = __real_recvmsg(fd, msg, flags);
	struct cmsghdr *cm;
	struct timespec ts;

	if (n < 0)
		return n;
	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_TIMESTAMPNS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(ts))) {
			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			ts.tv_sec += (time_t)shift();
			memcpy(CMSG_DATA(cm), &ts, sizeof(ts));
		}
	}
	return n;
}

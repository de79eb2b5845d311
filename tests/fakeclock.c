/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/fakeclock.c - linked into build/ntpsync-fakeclock with
 * -Wl,--wrap=clock_gettime: CLOCK_REALTIME reads the real time plus the
 * whole seconds written in the file named by $NTPSYNC_FAKECLOCK, read anew
 * on every call, so that a test can make the clock jump while ntpsync runs
 * (as init setting the clock during -R or -W would).  Only reading is
 * faked: the binary runs in the sandbox, under strace, like ntpsync.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int __real_clock_gettime(clockid_t id, struct timespec *ts);
int __wrap_clock_gettime(clockid_t id, struct timespec *ts);

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

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * output.c - the one place that decides which line is shown where: the
 * class table below, the log line format (ntpdate's, or RFC 3164 syslog)
 * and the streams.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "output.h"

#define OUT_LINE_LEN	1024	/* a longer line is cut short */
#define ALWAYS		0

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/*
 * A class is shown when no option is required (ALWAYS) or one of `any` is
 * given, and none of `none`.  Log lines on stdout are dropped under -j
 * unless they go to syslog (-s): stdout then carries the JSON alone.
 */
#define PLAIN		0xff	/* plain text: no prefix, never to syslog */

static const struct {
	uint8_t		any;
	uint8_t		none;
	uint8_t		to_stderr;
	uint8_t		prio;
} classes[OUT_CLASS_COUNT] = {
	[OUT_ERROR] = { ALWAYS, 0, 1, LOG_ERR },
	[OUT_WARNING] = { ALWAYS, 0, 0, LOG_WARNING },
	[OUT_RESULT] = { ALWAYS, 0, 0, LOG_NOTICE },
	[OUT_INFO] = { OUT_M_VERBOSE | OUT_M_DEBUG, 0, 0, LOG_INFO },
	[OUT_BANNER] = { OUT_M_VERBOSE, 0, 0, LOG_INFO },
	[OUT_DEBUG] = { OUT_M_DEBUG, 0, 0, PLAIN },
	[OUT_SERVER] = { OUT_M_QUERY | OUT_M_DEBUG, OUT_M_JSON, 0, PLAIN },
	[OUT_DETAIL] = { OUT_M_QUERY | OUT_M_DEBUG | OUT_M_VERBOSE,
	    OUT_M_JSON, 0, PLAIN },
	[OUT_DROPPED] = { ALWAYS, OUT_M_QUERY | OUT_M_DEBUG | OUT_M_VERBOSE |
	    OUT_M_JSON, 1, PLAIN },
	[OUT_PROGRESS] = { OUT_M_VERBOSE | OUT_M_DEBUG, 0, 0, PLAIN },
	[OUT_RETRY] = { OUT_M_VERBOSE | OUT_M_DEBUG, OUT_M_JSON, 0, PLAIN },
	[OUT_JSON] = { OUT_M_JSON, 0, 0, PLAIN },
	[OUT_HELP] = { ALWAYS, 0, 0, PLAIN },
	[OUT_USAGE] = { ALWAYS, 0, 1, PLAIN },
};

static unsigned modes;

void
out_init(unsigned m)
{
	modes = m;
}

int
out_wants(enum out_class c)
{
	if ((unsigned)c >= OUT_CLASS_COUNT)
		return 0;
	if (classes[c].any != ALWAYS && (modes & classes[c].any) == 0)
		return 0;
	if ((modes & classes[c].none) != 0)
		return 0;
	if (classes[c].prio != PLAIN && !classes[c].to_stderr &&
	    (modes & (OUT_M_JSON | OUT_M_SYSLOG)) == OUT_M_JSON)
		return 0;
	return 1;
}

static FILE *
stream(enum out_class c)
{
	return classes[c].to_stderr ? stderr : stdout;
}

/*
 * RFC 3164 to the local syslog socket, which is all that musl's syslog()
 * does, without its strftime and printf.  UTC, as everything ntpsync
 * prints.
 */
static void
syslog_send(int prio, const char *msg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	char line[OUT_LINE_LEN];
	time_t now = time(NULL);
	struct tm tm;
	int fd;

	gmtime_r(&now, &tm);
	str_fmt(line, sizeof(line), "<%d>%s %2d %02d:%02d:%02d ntpsync[%ld]: %s",
	    LOG_DAEMON | prio, months[tm.tm_mon], tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)getpid(), msg);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		(void)send(fd, line, strlen(line), MSG_NOSIGNAL);
	close(fd);
}

/*
 * A log line (a class with a syslog priority) gets ntpdate's prefix, or
 * goes to syslog under -s; plain text is written as it is.
 */
void
out(enum out_class c, const char *fmt, ...)
{
	char msg[OUT_LINE_LEN], line[OUT_LINE_LEN];
	const char *s = msg;
	va_list ap;
	struct tm tm;
	time_t now;

	if (!out_wants(c))
		return;
	va_start(ap, fmt);
	str_vfmt(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (classes[c].prio != PLAIN) {
		if ((modes & OUT_M_SYSLOG) != 0) {
			syslog_send(classes[c].prio, msg);
			return;
		}
		/*
		 * ntpdate's prefix, so that scripts parsing it by field still
		 * work; in UTC, since a board's time zone data would cost 8 KB.
		 */
		now = time(NULL);
		gmtime_r(&now, &tm);
		str_fmt(line, sizeof(line), "%2d %s %02d:%02d:%02d ntpsync[%ld]: "
		    "%s\n", tm.tm_mday, months[tm.tm_mon], tm.tm_hour, tm.tm_min,
		    tm.tm_sec, (long)getpid(), msg);
		s = line;
	}
	fputs(s, stream(c));
}

void
out_write(enum out_class c, const char *s, size_t len)
{
	if (out_wants(c))
		(void)fwrite(s, 1, len, stream(c));
}

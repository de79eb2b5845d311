/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * output.c - the one place that decides which line is shown where: the
 * class table below, the log line format (ntpdate's, or RFC 3164 syslog)
 * and the streams.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
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

/* In place: a pointer each would take more than the names. */
static const char months[][sizeof("Jan")] = { "Jan", "Feb", "Mar", "Apr",
    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/*
 * A class is shown when no option is required (ALWAYS) or one of `any` is
 * given, and none of `none`.  Under -s every class with a syslog priority
 * goes to syslog instead of stdout or stderr.  Under -j standard output
 * carries the JSON object and nothing else.
 */
#define NO_SYSLOG	0xff	/* the -d dump, the JSON, the usage: never */

static const struct {
	uint8_t		any;
	uint8_t		none;
	uint8_t		to_stderr;
	uint8_t		log;		/* ntpdate's date prefix on stdout/stderr */
	uint8_t		prio;		/* syslog priority */
} classes[OUT_CLASS_COUNT] = {
	[OUT_ERROR] = { ALWAYS, 0, 1, 1, LOG_ERR },
	[OUT_WARNING] = { ALWAYS, 0, 0, 1, LOG_WARNING },
	[OUT_RESULT] = { ALWAYS, 0, 0, 1, LOG_NOTICE },
	[OUT_INFO] = { OUT_M_VERBOSE | OUT_M_DEBUG, 0, 0, 1, LOG_INFO },
	[OUT_BANNER] = { OUT_M_VERBOSE, 0, 0, 1, LOG_INFO },
	[OUT_DEBUG] = { OUT_M_DEBUG, 0, 0, 0, NO_SYSLOG },
	[OUT_SERVER] = { OUT_M_QUERY | OUT_M_DEBUG, 0, 0, 0, LOG_INFO },
	[OUT_DETAIL] = { OUT_M_QUERY | OUT_M_DEBUG | OUT_M_VERBOSE, 0, 0, 0,
	    LOG_INFO },
	[OUT_DROPPED] = { ALWAYS, OUT_M_QUERY | OUT_M_DEBUG | OUT_M_VERBOSE, 1,
	    0, LOG_ERR },
	[OUT_PROGRESS] = { OUT_M_VERBOSE | OUT_M_DEBUG, 0, 0, 0, LOG_INFO },
	[OUT_RETRY] = { OUT_M_VERBOSE | OUT_M_DEBUG, 0, 0, 0, LOG_INFO },
	[OUT_JSON] = { OUT_M_JSON, 0, 0, 0, NO_SYSLOG },
	[OUT_HELP] = { ALWAYS, 0, 0, 0, NO_SYSLOG },
	[OUT_USAGE] = { ALWAYS, 0, 1, 0, NO_SYSLOG },
};

static unsigned modes;
static int write_error;		/* errno of the first failed write */

/*
 * Line-buffered standard output: a line written to stdout is out before
 * the next one to (unbuffered) stderr, so that '>log 2>&1' keeps the order.
 */
void
out_init(unsigned m)
{
	modes = m;
	(void)setvbuf(stdout, NULL, _IOLBF, 0);
}

static int
to_syslog(enum out_class c)
{
	return (modes & OUT_M_SYSLOG) != 0 && classes[c].prio != NO_SYSLOG;
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
	if ((modes & OUT_M_JSON) != 0 && c != OUT_JSON && c != OUT_HELP &&
	    !classes[c].to_stderr && !to_syslog(c))
		return 0;
	return 1;
}

/*
 * RFC 3164 to the local syslog socket, which is all that musl's syslog()
 * does, without its strftime and printf.  UTC, as everything ntpsync
 * prints.  A control character (from a server name, say) becomes '?', so
 * that no message can start a line of its own in the log.
 */
static void
syslog_send(int prio, const char *msg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	char line[OUT_LINE_LEN];
	time_t now = time(NULL);
	struct tm tm;
	size_t i, n;
	int fd;

	gmtime_r(&now, &tm);
	n = str_fmt(line, sizeof(line), "<%d>%s %2d %02d:%02d:%02d ntpsync[%ld]: %s",
	    LOG_DAEMON | prio, months[tm.tm_mon], tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)getpid(), msg);
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	while (n > 0 && line[n - 1] == '\n')
		n--;
	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] < ' ' || line[i] == 0x7f)
			line[i] = '?';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		(void)send(fd, line, n, MSG_NOSIGNAL);
	close(fd);
}

static void
put(enum out_class c, const char *s, size_t len)
{
	FILE *f = classes[c].to_stderr ? stderr : stdout;

	if (fwrite(s, 1, len, f) != len && write_error == 0)
		write_error = errno != 0 ? errno : EIO;
}

/*
 * A log line gets ntpdate's prefix and always ends its line, however long
 * the message; plain text is written as it is, and text cut at the line
 * length still ends with the newline it was meant to have.
 */
void
out(enum out_class c, const char *fmt, ...)
{
	char msg[OUT_LINE_LEN], prefix[64];
	va_list ap;
	struct tm tm;
	time_t now;
	size_t n, flen;

	if (!out_wants(c))
		return;
	va_start(ap, fmt);
	n = str_vfmt(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	flen = strlen(fmt);
	if (n >= sizeof(msg)) {
		n = sizeof(msg) - 1;
		if (flen > 0 && fmt[flen - 1] == '\n')
			msg[n - 1] = '\n';
	}
	if (to_syslog(c)) {
		syslog_send(classes[c].prio, msg);
		return;
	}
	if (classes[c].log) {
		/*
		 * ntpdate's prefix, so that scripts parsing it by field still
		 * work; in UTC, since a board's time zone data would cost 8 KB.
		 */
		now = time(NULL);
		gmtime_r(&now, &tm);
		put(c, prefix, str_fmt(prefix, sizeof(prefix),
		    "%2d %s %02d:%02d:%02d ntpsync[%ld]: ", tm.tm_mday,
		    months[tm.tm_mon], tm.tm_hour, tm.tm_min, tm.tm_sec,
		    (long)getpid()));
		put(c, msg, n);
		put(c, "\n", 1);
		return;
	}
	put(c, msg, n);
}

void
out_write(enum out_class c, const char *s, size_t len)
{
	if (out_wants(c))
		put(c, s, len);
}

/*
 * The errno of the first write that failed, or 0.  Every class ends its
 * output with a newline, which flushes the line-buffered stdout: nothing
 * is left for exit() to write unseen.
 */
int
out_finish(void)
{
	return write_error;
}

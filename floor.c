/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor.c - the time floor's file (see floor.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "floor.h"
#include "fmt.h"
#include "savefile.h"

const char *
floor_date(int64_t sec, char *buf, size_t len)
{
	time_t t = (time_t)sec;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		str_fmt(buf, len, "?");
	else
		str_fmt(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
	return buf;
}

size_t
floor_format(int64_t sec, char *buf, size_t cap)
{
	char date[FLOOR_DATE_LEN];
	size_t n;

	n = str_fmt(buf, cap, "%lld %s\n", (long long)sec,
	    floor_date(sec, date, sizeof(date)));
	return n < cap ? n : 0;
}

/*
 * Only the line floor_format() writes is taken, a final newline aside:
 * the date must be the seconds' own, which catches a digit lost or
 * changed.
 */
int
floor_parse(const char *text, size_t len, int64_t build_epoch, int64_t *sec,
    char *why, size_t whylen)
{
	char line[FLOOR_LINE_MAX], late[FLOOR_DATE_LEN], built[FLOOR_DATE_LEN];
	int64_t v = 0;
	size_t i, n;

	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len == 0) {
		str_fmt(why, whylen, "empty");
		return -1;
	}
	for (i = 0; i < len && text[i] >= '0' && text[i] <= '9'; i++)
		if ((v = v * 10 + (text[i] - '0')) > FLOOR_SECONDS_MAX) {
			str_fmt(why, whylen, "the seconds go beyond 2106: "
			    "damaged");
			return -1;
		}
	if (i == 0 || i == len || text[i] != ' ') {
		str_fmt(why, whylen, "not a line of seconds since 1970 and a "
		    "date: damaged");
		return -1;
	}
	n = floor_format(v, line, sizeof(line));
	if (n == 0 || n - 1 != len || memcmp(line, text, len) != 0) {
		str_fmt(why, whylen, "the date is not the seconds' own: "
		    "damaged");
		return -1;
	}
	if (v > build_epoch + FLOOR_AHEAD_MAX) {
		str_fmt(why, whylen, "%s is more than 20 years after "
		    "ntpsync's build date (%s): not trusted",
		    floor_date(v, late, sizeof(late)),
		    floor_date(build_epoch, built, sizeof(built)));
		return -1;
	}
	*sec = v;
	return 0;
}

/*
 * Never through a link, never blocking on a FIFO: a regular file, read
 * whole; anything longer than a line is not ours.
 */
int
floor_load(const char *path, int64_t build_epoch, int64_t *sec, char *err,
    size_t errlen)
{
	char buf[FLOOR_LINE_MAX + 1], why[FLOOR_ERR_LEN];
	struct stat st;
	size_t len = 0;
	ssize_t r = 0;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW |
	    O_NONBLOCK);
	if (fd == -1 && errno == ENOENT)
		return 1;
	/* O_NOFOLLOW's ELOOP reads "too many symbolic links": say why. */
	if (fd == -1 && errno == ELOOP) {
		str_fmt(err, errlen, "%s: a symbolic link, not followed", path);
		return -1;
	}
	if (fd == -1) {
		str_fmt(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		str_fmt(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	while (len < sizeof(buf) && ((r = read(fd, buf + len,
	    sizeof(buf) - len)) > 0 || (r == -1 && errno == EINTR)))
		len += r > 0 ? (size_t)r : 0;
	e = r == -1 ? errno : 0;
	close(fd);
	if (e != 0) {
		str_fmt(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	if (len == sizeof(buf)) {
		str_fmt(err, errlen, "%s: longer than a line: damaged", path);
		return -1;
	}
	if (floor_parse(buf, len, build_epoch, sec, why, sizeof(why)) == -1) {
		str_fmt(err, errlen, "%s: %s", path, why);
		return -1;
	}
	return 0;
}

/* Anyone may read the time; it is replaced whole, after fsync. */
int
floor_save(const char *path, int64_t sec)
{
	char line[FLOOR_LINE_MAX];
	size_t len = floor_format(sec, line, sizeof(line));

	if (len == 0) {
		errno = EOVERFLOW;
		return -1;
	}
	return save_file(path, line, len,
	    S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH);
}

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
	char date[FMT_TM_LEN];
	time_t t = (time_t)sec;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		str_fmt(buf, len, "?");
	else
		str_fmt(buf, len, "%sZ", fmt_tm(&tm, 'T', date, sizeof(date)));
	return buf;
}

size_t
floor_format(int64_t sec, const char *boot_id, char *buf, size_t cap)
{
	char date[FLOOR_DATE_LEN];
	size_t n;

	n = str_fmt(buf, cap, "%lld %s%s%s\n", (long long)sec,
	    floor_date(sec, date, sizeof(date)), boot_id[0] != '\0' ? " " : "",
	    boot_id);
	return n < cap ? n : 0;
}

/*
 * As the kernel writes a boot id: 36 characters, lower-case hex in groups
 * of 8-4-4-4-12.
 */
static int
boot_id_ok(const char *id)
{
	size_t i;

	for (i = 0; i < FLOOR_BOOT_ID_LEN - 1; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? id[i] != '-' :
		    !((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * Only a line floor_format() writes is taken, a final newline aside: the
 * date must be the seconds' own, which catches a digit lost or changed,
 * and what follows it a boot id or nothing.
 */
int
floor_parse(const char *text, size_t len, int64_t build_epoch, int64_t *sec,
    char *boot_id, char *why, size_t whylen)
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
	/* " ID" at the end, or nothing: the rest is the seconds and the date. */
	boot_id[0] = '\0';
	n = FLOOR_BOOT_ID_LEN - 1;
	if (len > n && text[len - n - 1] == ' ' &&
	    boot_id_ok(text + len - n)) {
		memcpy(boot_id, text + len - n, n);
		boot_id[n] = '\0';
		len -= n + 1;
	}
	n = floor_format(v, "", line, sizeof(line));
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
 * The floor is the time of the last sync (or of the last shutdown).  None
 * saved yet, or one that another boot saved (or a line without the id,
 * which this ntpsync did not write): nothing has synchronized the clock
 * since the board started, whatever set it meanwhile (an RTC, systemd's
 * epoch, which is its own build date, a restore-only run of ntpsync -F,
 * fake-hwclock), so it is as good as unset.  A kernel that gives no boot
 * id cannot tell: the floor then counts as this boot's.
 */
int
floor_fresh_boot(int64_t floor, const char *saved_id, const char *boot_id)
{
	return floor == 0 ||
	    (boot_id[0] != '\0' && strcmp(saved_id, boot_id) != 0);
}

/*
 * Never through a link, never blocking on a FIFO: a regular file, read
 * whole; anything longer than a line is not ours.
 */
int
floor_load(const char *path, int64_t build_epoch, int64_t *sec,
    char *boot_id, char *err, size_t errlen)
{
	char buf[FLOOR_LINE_MAX + 1], why[FLOOR_ERR_LEN];
	struct stat st;
	size_t len;
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
	e = read_upto(fd, buf, sizeof(buf), &len);
	close(fd);
	if (e != 0) {
		str_fmt(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	if (len == sizeof(buf)) {
		str_fmt(err, errlen, "%s: longer than a line: damaged", path);
		return -1;
	}
	if (floor_parse(buf, len, build_epoch, sec, boot_id, why,
	    sizeof(why)) == -1) {
		str_fmt(err, errlen, "%s: %s", path, why);
		return -1;
	}
	return 0;
}

/* Anyone may read the time; it is replaced whole, after fsync. */
int
floor_save(const char *path, int64_t sec, const char *boot_id)
{
	char line[FLOOR_LINE_MAX];
	size_t len = floor_format(sec, boot_id, line, sizeof(line));

	if (len == 0) {
		errno = EOVERFLOW;
		return -1;
	}
	return save_file(path, line, len,
	    S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH);
}

void
floor_boot_id(char *id)
{
	int fd = open(FLOOR_BOOT_ID_FILE, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n = fd == -1 ? -1 : read(fd, id, FLOOR_BOOT_ID_LEN);

	if (fd != -1)
		close(fd);
	/* The id and its newline, nothing else. */
	if (n != FLOOR_BOOT_ID_LEN || id[FLOOR_BOOT_ID_LEN - 1] != '\n' ||
	    !boot_id_ok(id)) {
		id[0] = '\0';
		return;
	}
	id[FLOOR_BOOT_ID_LEN - 1] = '\0';
}

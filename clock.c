/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * clock.c - the local clock, the RTC and the run lock: every call here
 * that can change the machine's time.
 */
#define _GNU_SOURCE
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "rtc.h"


int64_t
clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

void
clock_sleep_ns(int64_t ns)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ns / NSEC_PER_SEC);
	ts.tv_nsec = (long)(ns % NSEC_PER_SEC);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * The earliest the true time can be: the build date, or the time floor
 * (-F) when it is later.
 */
int64_t
clock_lower_bound(const struct clock_policy *p)
{
	return p->floor > p->build_epoch ? p->floor : p->build_epoch;
}

/*
 * Offsets are exact only within 68 years (RFC 5905 section 6), and a board
 * that boots at 1970 is further than that from any time after 2038.  A
 * clock before the lower bound (clock_lower_bound()) has never been set:
 * measure as if it read that bound, and add the difference back when
 * stepping and printing.
 */
int64_t
clock_unset_shift(int64_t lower)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec < lower ? lower - (int64_t)now.tv_sec : 0;
}

/* The clock's seconds, shifted while it is unset. */
int64_t
clock_seconds(int64_t shift)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (int64_t)now.tv_sec + shift;
}

/* T1 and T4: the local clock, shifted while it is unset. */
uint64_t
clock_ntp(struct timespec ts, int64_t shift)
{
	ts.tv_sec += (time_t)shift;
	return ntp_from_timespec(&ts);
}

uint64_t
clock_ntp_now(int64_t shift)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return clock_ntp(ts, shift);
}

/* An offset as the clock sees it: with the shift of an unset clock. */
double
clock_true_offset(ntp_dur offset, int64_t shift)
{
	return ntp_dur_to_double(offset) + (double)shift;
}

int
clock_wants_step(const struct clock_policy *p, ntp_dur offset)
{
	if (p->adjust != ADJUST_AUTO)
		return p->adjust == ADJUST_STEP;
	return p->shift != 0 || offset >= CLOCK_STEP_THRESHOLD ||
	    offset <= -CLOCK_STEP_THRESHOLD;
}

/*
 * What clock_set() would do with this offset while the clock reads now_sec:
 * ntpdate's threshold picks step or slew; a step above the -m limit is
 * refused once the clock has been set (after the build date and the time
 * floor: a clock this run stepped to the floor is still unset, only
 * carried from the last boot's time, and so is one that no sync has set
 * since this boot: see floor_fresh_boot()); adjtime cannot slew more than
 * CLOCK_SLEW_MAX, nor the decades of an unset clock.
 */
enum clock_status
clock_plan(const struct clock_policy *p, ntp_dur offset, int64_t now_sec)
{
	if (clock_wants_step(p, offset)) {
		if (p->max_step != 0 && p->adjust != ADJUST_STEP &&
		    (offset > p->max_step || offset < -p->max_step) &&
		    now_sec >= clock_lower_bound(p) && !p->restored &&
		    !p->fresh_boot)
			return CLOCK_OVER_LIMIT;
		return CLOCK_STEPPED;
	}
	if (p->shift != 0 || offset > CLOCK_SLEW_MAX || offset < -CLOCK_SLEW_MAX)
		return CLOCK_SLEW_TOO_LARGE;
	return CLOCK_SLEWED;
}

/* clock_plan() against the clock as it reads now. */
enum clock_status
clock_plan_now(const struct clock_policy *p, ntp_dur offset)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return clock_plan(p, offset, (int64_t)ts.tv_sec);
}

/*
 * Step by exactly the measured offset, or slew by exactly it: no 50 %
 * overshoot as in ntpdate.
 */
enum clock_status
clock_set(const struct clock_policy *p, ntp_dur offset, int *error)
{
	struct timespec ts;
	struct timeval tv;
	enum clock_status st;

	*error = 0;
	/* A step is measured against the clock as it is now. */
	clock_gettime(CLOCK_REALTIME, &ts);
	st = clock_plan(p, offset, (int64_t)ts.tv_sec);
	if (st == CLOCK_STEPPED) {
		ts.tv_sec += (time_t)p->shift;
		ntp_timespec_add(&ts, offset);
		if (clock_settime(CLOCK_REALTIME, &ts) == -1) {
			*error = errno;
			return CLOCK_STEP_FAILED;
		}
	} else if (st == CLOCK_SLEWED) {
		ntp_dur_to_timeval(offset, &tv);
		if (adjtime(&tv, NULL) == -1) {
			*error = errno;
			return CLOCK_SLEW_FAILED;
		}
	}
	return st;
}

/*
 * -F: a clock that reads earlier than the floor is stepped forward to it
 * (fake-hwclock's restore), never back.
 */
enum clock_raise_status
clock_raise(int64_t floor, int *error)
{
	struct timespec ts;

	*error = 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	if ((int64_t)ts.tv_sec >= floor)
		return RAISE_NOT_NEEDED;
	ts.tv_sec = (time_t)floor;
	ts.tv_nsec = 0;
	if (clock_settime(CLOCK_REALTIME, &ts) == -1) {
		*error = errno;
		return RAISE_FAILED;
	}
	return RAISE_STEPPED;
}

/*
 * -w, as hwclock -w: the RTC keeps UTC in whole seconds, so it is set at
 * the start of the next second, which it then holds to within a few ms.
 * *set is the time written.
 */
int
clock_write_rtc(const char *device, struct tm *set, int *error)
{
	struct timespec now;
	struct rtc_time rt;
	int fd, e;

	fd = open(device, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		*error = errno;
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	clock_sleep_ns(NSEC_PER_SEC - now.tv_nsec);
	now.tv_sec++;
	gmtime_r(&now.tv_sec, set);
	memset(&rt, 0, sizeof(rt));
	rt.tm_sec = set->tm_sec;
	rt.tm_min = set->tm_min;
	rt.tm_hour = set->tm_hour;
	rt.tm_mday = set->tm_mday;
	rt.tm_mon = set->tm_mon;
	rt.tm_year = set->tm_year;
	e = ioctl(fd, RTC_SET_TIME, &rt) == -1 ? errno : 0;
	close(fd);
	*error = e;
	return e != 0 ? -1 : 0;
}

/*
 * Overlapping cron runs must not stack their corrections.  The descriptor
 * stays open, and the lock held, until the process exits.  The lock file
 * is opened without following a symbolic link and without becoming our
 * terminal, and must be a regular file: a link planted at the path, a
 * device or a FIFO is refused rather than written to or blocked on.
 */
enum clock_lock_status
clock_lock(const char *path, int *error)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY |
	    O_NONBLOCK, 0644);

	*error = 0;
	if (fd == -1) {
		*error = errno;
		return LOCK_CANNOT_OPEN;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		*error = EINVAL;
		close(fd);
		return LOCK_NOT_A_FILE;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		*error = errno;
		close(fd);
		return LOCK_TAKEN;
	}
	/* cppcheck-suppress resourceLeak ; fd holds the lock until we exit */
	return LOCK_HELD;
}

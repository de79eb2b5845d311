/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * clock.h - the local clock: reading it for T1 and T4, the shift of a
 * clock that was never set, stepping and slewing it, the RTC and the lock
 * that keeps two runs from stacking their corrections.  Nothing here
 * prints: each call returns what happened, and the caller reports it.
 */
#ifndef NTPSYNC_CLOCK_H
#define NTPSYNC_CLOCK_H

#include <stdint.h>
#include <time.h>

#include "ntp_packet.h"

/*
 * A clock before the build date has clearly never been set (a board that
 * booted at 1970 or at its RTC's 2000): the step limit does not apply.
 * The Makefile passes the date of the last commit.
 */
#ifndef NTPSYNC_BUILD_EPOCH
#define NTPSYNC_BUILD_EPOCH	1795564800	/* 2026-11-25, release 0.1.0 */
#endif

/* ntpdate's rule: step at or above half a second, slew below. */
#define CLOCK_STEP_THRESHOLD	NTP_DUR_MSEC(500)
/* musl's adjtime refuses more; at 0.5 ms/s it would take 23 days anyway. */
#define CLOCK_SLEW_MAX		NTP_DUR_SEC(1000)

enum clock_adjust { ADJUST_AUTO, ADJUST_STEP, ADJUST_SLEW };

struct clock_policy {
	enum clock_adjust adjust;	/* -b, -B */
	ntp_dur		max_step;	/* -m: 0 means no limit */
	int64_t		shift;		/* s: see clock_unset_shift() */
	int64_t		build_epoch;	/* s since 1970 */
	int64_t		floor;		/* -F: the saved time, 0 for none */
	int		restored;	/* the clock was stepped to the floor */
	int		fresh_boot;	/* -F: no sync saved since this boot */
};

enum clock_status {
	CLOCK_STEPPED,
	CLOCK_SLEWED,
	CLOCK_OVER_LIMIT,	/* a step above -m, refused */
	CLOCK_SLEW_TOO_LARGE,	/* refused: it must be stepped */
	CLOCK_STEP_FAILED,	/* the call failed: see the error */
	CLOCK_SLEW_FAILED
};

/* clock_raise(): the clock moved forward to the floor, or not. */
enum clock_raise_status { RAISE_NOT_NEEDED, RAISE_STEPPED, RAISE_FAILED };

enum clock_lock_status { LOCK_HELD, LOCK_CANNOT_OPEN, LOCK_NOT_A_FILE,
    LOCK_TAKEN };

int64_t		clock_mono_ns(void);
void		clock_sleep_ns(int64_t ns);
int64_t		clock_lower_bound(const struct clock_policy *p);
int64_t		clock_unset_shift(int64_t lower);
uint64_t	clock_ntp(struct timespec ts, int64_t shift);
uint64_t	clock_ntp_now(int64_t shift);
int64_t		clock_seconds(int64_t shift);
double		clock_true_offset(ntp_dur offset, int64_t shift);
int		clock_wants_step(const struct clock_policy *p, ntp_dur offset);
enum clock_status clock_plan(const struct clock_policy *p, ntp_dur offset,
		    int64_t now_sec);
enum clock_status clock_plan_now(const struct clock_policy *p, ntp_dur offset);
enum clock_status clock_set(const struct clock_policy *p, ntp_dur offset,
		    int *error);
enum clock_raise_status clock_raise(int64_t floor, int *error);
int		clock_write_rtc(const char *device, struct tm *set, int *error);
enum clock_lock_status clock_lock(const char *path, int *error);

#endif /* NTPSYNC_CLOCK_H */

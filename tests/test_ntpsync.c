/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of ntpsync's decisions and the modules they use: step or
 * slew, by how much, and no clock call at all on -q, -d or failure; the
 * exchange's handling of replies; the small printf; the command line.
 * The test links the modules (ntpsync.c with its main() renamed).  It is
 * linked with -Wl,--wrap for every call that can set the clock (see the
 * Makefile), so a call that a test does not expect fails the test instead
 * of reaching the real clock.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/timex.h>
#include <sys/wait.h>

#include <cmocka.h>

#include <sys/file.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "clock.h"
#include "exchange.h"
#include "floor.h"
#include "fmt.h"
#include "keyfile.h"
#include "ntpsync.h"
#include "options.h"
#include "output.h"
#include "report.h"
#include "rtc.h"

int ntpsync_main(int argc, char **argv);

/* What ntpsync.c's main() builds for a run, reset before each test. */
static struct options opt;
static struct report rep;
static struct run run;

/* ---- the clock, replaced ---- */

int __real_clock_gettime(clockid_t, struct timespec *);
int __wrap_clock_gettime(clockid_t, struct timespec *);
int __wrap_clock_settime(clockid_t, const struct timespec *);
int __wrap_adjtime(const struct timeval *, struct timeval *);
int __wrap_settimeofday(const struct timeval *, const void *);
int __wrap_adjtimex(struct timex *);
int __wrap_clock_adjtime(clockid_t, struct timex *);
int __wrap_ioctl(int, unsigned long, ...);

static const struct timespec *fake_realtime;

#ifdef WRAP_RECVMSG
/*
 * recvmsg as it is, or as musl's behaves on a 32-bit CPU with a kernel
 * before 5.1: the kernel writes its 32-bit timestamp (two 32-bit fields),
 * and musl appends a copy in its 64-bit layout if the caller's control
 * buffer has room for it, else it sets MSG_CTRUNC.  NO_ROOM: the kernel
 * itself found no room for its timestamp.
 */
ssize_t __real_recvmsg(int, struct msghdr *, int);
ssize_t __wrap_recvmsg(int, struct msghdr *, int);

enum recvmsg_mode { RECVMSG_REAL, RECVMSG_MUSL32_OLD_KERNEL, RECVMSG_NO_ROOM };
static enum recvmsg_mode recvmsg_mode;
/* Stands for the kernel's 32-bit layout, which this build does not read. */
#define SCM_TIMESTAMPNS_32BIT	0x7fff

ssize_t
__wrap_recvmsg(int fd, struct msghdr *msg, int flags)
{
	size_t room = msg->msg_controllen;
	struct cmsghdr *cm;
	struct timespec ts;
	int32_t ts32[2];
	ssize_t n;

	n = __real_recvmsg(fd, msg, flags);
	if (n < 0 || recvmsg_mode == RECVMSG_REAL || (flags & MSG_ERRQUEUE))
		return n;
	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_TIMESTAMPNS)
			break;
	if (cm == NULL)
		return n;
	memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
	msg->msg_controllen = 0;
	if (recvmsg_mode == RECVMSG_NO_ROOM ||
	    CMSG_SPACE(sizeof(ts32)) > room) {
		msg->msg_flags |= MSG_CTRUNC;
		return n;
	}
	cm = msg->msg_control;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_TIMESTAMPNS_32BIT;
	cm->cmsg_len = CMSG_LEN(sizeof(ts32));
	ts32[0] = (int32_t)ts.tv_sec;
	ts32[1] = (int32_t)ts.tv_nsec;
	memcpy(CMSG_DATA(cm), ts32, sizeof(ts32));
	msg->msg_controllen = CMSG_SPACE(sizeof(ts32));
	/* musl's __convert_scm_timestamps() */
	if (CMSG_SPACE(sizeof(ts)) > room - msg->msg_controllen) {
		msg->msg_flags |= MSG_CTRUNC;
		return n;
	}
	cm = (struct cmsghdr *)((char *)msg->msg_control +
	    msg->msg_controllen);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_TIMESTAMPNS;
	cm->cmsg_len = CMSG_LEN(sizeof(ts));
	memcpy(CMSG_DATA(cm), &ts, sizeof(ts));
	msg->msg_controllen += CMSG_SPACE(sizeof(ts));
	return n;
}
#endif

int
__wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
	if (id == CLOCK_REALTIME && fake_realtime != NULL) {
		*ts = *fake_realtime;
		return 0;
	}
	return __real_clock_gettime(id, ts);
}

int
__wrap_clock_settime(clockid_t id, const struct timespec *ts)
{
	check_expected(id);
	check_expected(ts->tv_sec);
	check_expected(ts->tv_nsec);
	errno = mock_type(int);
	return errno == 0 ? 0 : -1;
}

int
__wrap_adjtime(const struct timeval *delta, struct timeval *olddelta)
{
	check_expected(delta->tv_sec);
	check_expected(delta->tv_usec);
	assert_null(olddelta);
	errno = mock_type(int);
	return errno == 0 ? 0 : -1;
}

int
__wrap_settimeofday(const struct timeval *tv, const void *tz)
{
	(void)tv;
	(void)tz;
	fail_msg("settimeofday called");
	return -1;
}

int
__wrap_adjtimex(struct timex *tx)
{
	(void)tx;
	fail_msg("adjtimex called");
	return -1;
}

int
__wrap_clock_adjtime(clockid_t id, struct timex *tx)
{
	(void)id;
	(void)tx;
	fail_msg("clock_adjtime called");
	return -1;
}

/* The only ioctl ntpsync makes is RTC_SET_TIME. */
int
__wrap_ioctl(int fd, unsigned long req, ...)
{
	const struct rtc_time *rt;
	va_list ap;

	(void)fd;
	assert_int_equal(req, RTC_SET_TIME);
	va_start(ap, req);
	rt = va_arg(ap, const struct rtc_time *);
	va_end(ap);
	check_expected(rt->tm_year);
	check_expected(rt->tm_mon);
	check_expected(rt->tm_mday);
	check_expected(rt->tm_hour);
	check_expected(rt->tm_min);
	check_expected(rt->tm_sec);
	errno = mock_type(int);
	return errno == 0 ? 0 : -1;
}

static void
expect_step(time_t sec, long nsec, int error)
{
	expect_value(__wrap_clock_settime, id, CLOCK_REALTIME);
	expect_value(__wrap_clock_settime, ts->tv_sec, sec);
	expect_value(__wrap_clock_settime, ts->tv_nsec, nsec);
	will_return(__wrap_clock_settime, error);
}

static void
expect_slew(time_t sec, long usec, int error)
{
	expect_value(__wrap_adjtime, delta->tv_sec, sec);
	expect_value(__wrap_adjtime, delta->tv_usec, usec);
	will_return(__wrap_adjtime, error);
}

static const struct timespec now_1000_5 = { 1000, 500000000 };

static int
setup(void **state)
{
	(void)state;
	options_defaults(&opt);
	out_init(0);
	report_init(&rep, "test", 0, opt.timeout_ns);
	run = (struct run){
		.opt = &opt,
		.rep = &rep,
		.policy = { .adjust = opt.adjust, .max_step = opt.max_step,
		    .shift = 0, .build_epoch = NTPSYNC_BUILD_EPOCH },
	};
	fake_realtime = &now_1000_5;
	return 0;
}

/* apply() for a server whose best sample is this offset. */
static int
set_clock(const char *addr, ntp_dur offset)
{
	struct ntp_server server;
	struct ntp_sample best;
	struct outcome oc;

	memset(&server, 0, sizeof(server));
	memset(&best, 0, sizeof(best));
	memset(&oc, 0, sizeof(oc));
	snprintf(server.addr, sizeof(server.addr), "%s", addr);
	best.offset = offset;
	return apply(&run, &server, &best, &oc);
}

static const char *rtc_device;

/* ---- step or slew ---- */

static void
test_threshold_is_half_a_second(void **state)
{
	(void)state;
	assert_true(clock_wants_step(&run.policy, NTP_DUR_MSEC(500)));
	assert_true(clock_wants_step(&run.policy, -NTP_DUR_MSEC(500)));
	assert_false(clock_wants_step(&run.policy, NTP_DUR_MSEC(500) - 1));
	assert_false(clock_wants_step(&run.policy, -NTP_DUR_MSEC(500) + 1));
	assert_false(clock_wants_step(&run.policy, 0));
}

static void
test_b_and_B_force_the_mode(void **state)
{
	(void)state;
	run.policy.adjust = ADJUST_STEP;
	assert_true(clock_wants_step(&run.policy, 1));
	run.policy.adjust = ADJUST_SLEW;
	assert_false(clock_wants_step(&run.policy, NTP_DUR_SEC(100)));
}

static void
test_step_adds_offset_to_now(void **state)
{
	(void)state;
	/* 1000.5 s + 10.25 s = 1010.75 s */
	expect_step(1010, 750000000, 0);
	assert_int_equal(set_clock("192.0.2.1", NTP_DUR_SEC(10) +
	    NTP_DUR_SEC(1) / 4), EXIT_SYNCED);
}

static void
test_step_backwards(void **state)
{
	(void)state;
	/* 1000.5 s - 0.75 s = 999.75 s */
	expect_step(999, 750000000, 0);
	assert_int_equal(set_clock("192.0.2.1", -(NTP_DUR_SEC(3) / 4)),
	    EXIT_SYNCED);
}

static void
test_step_from_1970_by_56_years(void **state)
{
	static const struct timespec epoch = { 0, 0 };

	(void)state;
	fake_realtime = &epoch;
	/* 2026-11-25 00:00:00 UTC is 1795564800 s after the epoch. */
	expect_step(1795564800, 0, 0);
	assert_int_equal(set_clock("192.0.2.1", NTP_DUR_SEC(1795564800)),
	    EXIT_SYNCED);
}

static void
test_slew_by_exactly_the_offset(void **state)
{
	(void)state;
	/* 0.2 s, no 50 % overshoot: 200000 us */
	expect_slew(0, 200000, 0);
	assert_int_equal(set_clock("192.0.2.1", NTP_DUR_MSEC(200)),
	    EXIT_SYNCED);
}

static void
test_slew_negative_offset_is_normalized(void **state)
{
	(void)state;
	/* -0.2 s = -1 s + 0.8 s */
	expect_slew(-1, 800000, 0);
	assert_int_equal(set_clock("192.0.2.1", -NTP_DUR_MSEC(200)),
	    EXIT_SYNCED);
}

static void
test_slew_rounds_to_the_nearest_microsecond(void **state)
{
	(void)state;
	/* 2^32 * 0.0000015 s = 6442.45, truncated to 6442 units = 1.49994 us. */
	expect_slew(0, 1, 0);
	assert_int_equal(set_clock("192.0.2.1", 6442), EXIT_SYNCED);
	/* 6443 units = 1.500159 us */
	expect_slew(0, 2, 0);
	assert_int_equal(set_clock("192.0.2.1", 6443), EXIT_SYNCED);
}

static void
test_slew_carries_into_seconds(void **state)
{
	(void)state;
	run.policy.adjust = ADJUST_SLEW;
	/* 0.9999996 s rounds to 1.000000 s */
	expect_slew(1, 0, 0);
	assert_int_equal(set_clock("192.0.2.1", NTP_DUR_SEC(1) - 1718),
	    EXIT_SYNCED);
}

static void
test_failed_step_is_an_error(void **state)
{
	(void)state;
	expect_step(1010, 500000000, EPERM);
	assert_int_equal(set_clock("192.0.2.1", NTP_DUR_SEC(10)), EXIT_CLOCK);
}

static void
test_failed_slew_is_an_error(void **state)
{
	(void)state;
	expect_slew(0, 100000, EPERM);
	assert_int_equal(set_clock("192.0.2.1", NTP_DUR_MSEC(100)),
	    EXIT_CLOCK);
}

static void
test_huge_slew_is_refused_without_a_call(void **state)
{
	(void)state;
	run.policy.adjust = ADJUST_SLEW;
	assert_int_equal(set_clock("192.0.2.1", NTP_DUR_SEC(1001)),
	    EXIT_CLOCK);
	assert_int_equal(set_clock("192.0.2.1", -NTP_DUR_SEC(1001)),
	    EXIT_CLOCK);
}

/* ---- the step limit (-m) ---- */

/* 2027-01-15 08:00:00 UTC: after the build date, so the clock counts as set. */
static const struct timespec now_set = { 1800000000, 0 };

static void
test_step_beyond_limit_is_refused_without_a_call(void **state)
{
	(void)state;
	fake_realtime = &now_set;
	assert_int_equal(set_clock("192.0.2.1", NTP_DUR_SEC(1001)),
	    EXIT_STEP_LIMIT);
	assert_int_equal(set_clock("192.0.2.1", -NTP_DUR_SEC(1001)),
	    EXIT_STEP_LIMIT);
}

static void
test_step_at_the_limit_is_made(void **state)
{
	(void)state;
	fake_realtime = &now_set;
	expect_step(1800001000, 0, 0);
	assert_int_equal(set_clock("192.0.2.1", NTP_DUR_SEC(1000)),
	    EXIT_SYNCED);
}

static void
test_b_and_m0_lift_the_limit(void **state)
{
	(void)state;
	fake_realtime = &now_set;
	run.policy.adjust = ADJUST_STEP;
	expect_step(1800003600, 0, 0);
	assert_int_equal(set_clock("192.0.2.1", NTP_DUR_SEC(3600)),
	    EXIT_SYNCED);
	run.policy.adjust = ADJUST_AUTO;
	run.policy.max_step = 0;
	expect_step(1799996400, 0, 0);
	assert_int_equal(set_clock("192.0.2.1", -NTP_DUR_SEC(3600)),
	    EXIT_SYNCED);
}

static void
test_unset_clock_steps_beyond_the_limit(void **state)
{
	(void)state;
	/* 1000.5 s after the epoch: a board that booted without an RTC. */
	expect_step(1000 + 1800000000, 500000000, 0);
	assert_int_equal(set_clock("192.0.2.1", NTP_DUR_SEC(1800000000)),
	    EXIT_SYNCED);
}

/*
 * A board without an RTC boots at 1970; in 2040 it is 70 years behind,
 * beyond the 68 years that era-free offsets can hold.  It is measured from
 * the build date instead and stepped to the exact time.
 */
static void
test_board_at_1970_steps_to_2040(void **state)
{
	static const struct timespec epoch = { 0, 0 };
	/*
	 * 2040-01-01T00:00:00Z is Unix 2208988800: NTP 4417977600 s, which is
	 * era 1, second 4417977600 - 2^32 = 123010304.
	 */
	const uint64_t t2040 = (uint64_t)123010304 << 32;
	struct ntp_packet pkt;
	struct ntp_sample s;
	uint64_t now;

	(void)state;
	fake_realtime = &epoch;
	run.policy.shift = clock_unset_shift(NTPSYNC_BUILD_EPOCH);
	assert_int_equal(run.policy.shift, NTPSYNC_BUILD_EPOCH);
	rep.shift = run.policy.shift;
	now = clock_ntp_now(run.policy.shift);
	memset(&pkt, 0, sizeof(pkt));
	pkt.version = NTP_VERSION;
	pkt.mode = NTP_MODE_SERVER;
	pkt.stratum = 2;
	pkt.org = 42;
	pkt.rx = pkt.tx = t2040;
	assert_int_equal(ntp_check_reply(&pkt, 42, now, now, &s), NTP_OK);
	assert_true(clock_wants_step(&run.policy, s.offset));
	expect_step(2208988800, 0, 0);
	assert_int_equal(set_clock("192.0.2.1", s.offset), EXIT_SYNCED);
	run.policy.adjust = ADJUST_SLEW;	/* -B cannot slew 70 years */
	assert_int_equal(set_clock("192.0.2.1", s.offset), EXIT_CLOCK);
}

static void
test_set_clock_is_not_shifted_after_the_build_date(void **state)
{
	static const struct timespec later = { 1900000000, 0 };

	(void)state;
	fake_realtime = &later;
	run.policy.shift = clock_unset_shift(NTPSYNC_BUILD_EPOCH);
	assert_int_equal(run.policy.shift, 0);
}

/* ---- the RTC (-w) and the lock (-l) ---- */

static char *
temp_file(void)
{
	static char path[] = "/tmp/ntpsync-test.XXXXXX";
	int fd;

	strcpy(path + sizeof(path) - 7, "XXXXXX");
	fd = mkstemp(path);
	assert_true(fd != -1);
	close(fd);
	return path;
}

static void
test_rtc_is_set_to_the_next_whole_second_in_utc(void **state)
{
	/* 2027-01-15 07:59:59.999 UTC: the RTC gets 08:00:00. */
	static const struct timespec before_8 = { 1799999999, 999000000 };
	char *dev = temp_file();

	(void)state;
	fake_realtime = &before_8;
	rtc_device = dev;
	expect_value(__wrap_ioctl, rt->tm_year, 127);
	expect_value(__wrap_ioctl, rt->tm_mon, 0);
	expect_value(__wrap_ioctl, rt->tm_mday, 15);
	expect_value(__wrap_ioctl, rt->tm_hour, 8);
	expect_value(__wrap_ioctl, rt->tm_min, 0);
	expect_value(__wrap_ioctl, rt->tm_sec, 0);
	will_return(__wrap_ioctl, 0);
	assert_int_equal(write_rtc(rtc_device), EXIT_SYNCED);
	unlink(dev);
}

static void
test_rtc_failures_are_errors(void **state)
{
	static const struct timespec before_8 = { 1799999999, 999000000 };
	char *dev = temp_file();

	(void)state;
	fake_realtime = &before_8;
	rtc_device = dev;
	expect_any(__wrap_ioctl, rt->tm_year);
	expect_any(__wrap_ioctl, rt->tm_mon);
	expect_any(__wrap_ioctl, rt->tm_mday);
	expect_any(__wrap_ioctl, rt->tm_hour);
	expect_any(__wrap_ioctl, rt->tm_min);
	expect_any(__wrap_ioctl, rt->tm_sec);
	will_return(__wrap_ioctl, ENOTTY);
	assert_int_equal(write_rtc(rtc_device), EXIT_RTC);
	unlink(dev);
	rtc_device = "/nonexistent/rtc0";
	assert_int_equal(write_rtc(rtc_device), EXIT_RTC);
}

static void
test_second_run_finds_the_lock_taken(void **state)
{
	char *path = temp_file();
	int fd = open(path, O_RDWR);

	(void)state;
	assert_true(fd != -1);
	opt.lock_file = path;
	opt.lock_required = 1;
	assert_int_equal(take_lock(&opt), EXIT_SYNCED);	/* and holds it */
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(take_lock(&opt), EXIT_LOCKED);
	close(fd);
	unlink(path);
}

static void
test_lock_file_that_cannot_be_opened(void **state)
{
	(void)state;
	opt.lock_file = "/nonexistent/ntpsync.lock";
	assert_int_equal(take_lock(&opt), EXIT_SYNCED);	/* default: no /run */
	opt.lock_required = 1;
	assert_int_equal(take_lock(&opt), EXIT_LOCKED);	/* asked for with -l */
}

/* ---- the time floor (-F) ---- */

/* 2026-11-25T10:00:00Z */
#define FLOOR_T		1795600800

/* A boot id as /proc/sys/kernel/random/boot_id gives it. */
#define BOOT_A		"3f1c2a9e-5b7d-4c1e-9a0b-6d2e8f4a1c3b"
#define BOOT_B		"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

static void
test_floor_line_is_seconds_and_their_date(void **state)
{
	char buf[FLOOR_LINE_MAX], id[FLOOR_BOOT_ID_LEN];
	int64_t sec = 0;
	char why[FLOOR_ERR_LEN];

	(void)state;
	assert_int_equal(floor_format(FLOOR_T, "", buf, sizeof(buf)), 32);
	assert_string_equal(buf, "1795600800 2026-11-25T10:00:00Z\n");
	assert_int_equal(floor_parse(buf, 32, FLOOR_T, &sec, id, why,
	    sizeof(why)), 0);
	assert_int_equal(sec, FLOOR_T);
	assert_string_equal(id, "");
	/* Written by hand without the final newline: the same line. */
	sec = 0;
	assert_int_equal(floor_parse(buf, 31, FLOOR_T, &sec, id, why,
	    sizeof(why)), 0);
	assert_int_equal(sec, FLOOR_T);
	assert_int_equal(floor_format(FLOOR_T, "", buf, 31), 0);
	/* With the id of the boot that saved it. */
	assert_int_equal(floor_format(FLOOR_T, BOOT_A, buf, sizeof(buf)), 69);
	assert_string_equal(buf, "1795600800 2026-11-25T10:00:00Z " BOOT_A "\n");
	assert_int_equal(floor_parse(buf, 69, FLOOR_T, &sec, id, why,
	    sizeof(why)), 0);
	assert_string_equal(id, BOOT_A);
}

static int
floor_of(const char *text, int64_t build, char *why, size_t len)
{
	int64_t sec = -1;
	char id[FLOOR_BOOT_ID_LEN];

	if (floor_parse(text, strlen(text), build, &sec, id, why, len) == -1) {
		assert_int_equal(sec, -1);
		return -1;
	}
	return 0;
}

/* A damaged line is refused with its reason, never half-read. */
static void
test_damaged_floor_is_refused(void **state)
{
	char why[FLOOR_ERR_LEN];

	(void)state;
	/* One digit changed: the date no longer matches. */
	assert_int_equal(floor_of("1795600801 2026-11-25T10:00:00Z\n",
	    FLOOR_T, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "damaged"));
	assert_int_equal(floor_of("0795600800 2026-11-25T10:00:00Z\n",
	    FLOOR_T, why, sizeof(why)), -1);
	assert_int_equal(floor_of("1795600800\n", FLOOR_T, why, sizeof(why)),
	    -1);
	assert_int_equal(floor_of("1795600800 2026-11-25T10:00:00Z\njunk\n",
	    FLOOR_T, why, sizeof(why)), -1);
	assert_int_equal(floor_of("1795600800  2026-11-25T10:00:00Z\n",
	    FLOOR_T, why, sizeof(why)), -1);
	assert_int_equal(floor_of("", FLOOR_T, why, sizeof(why)), -1);
	assert_string_equal(why, "empty");
	assert_int_equal(floor_of("\n", FLOOR_T, why, sizeof(why)), -1);
	assert_int_equal(floor_of(" 2026-11-25T10:00:00Z", FLOOR_T, why,
	    sizeof(why)), -1);
	assert_int_equal(floor_of("99999999999999999999 x", FLOOR_T, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "2106"));
	assert_int_equal(floor_of("4294967296 2106-02-07T06:28:16Z", 4294967296LL,
	    why, sizeof(why)), -1);
	/* After the date: a boot id or nothing. */
	assert_int_equal(floor_of("1795600800 2026-11-25T10:00:00Z " BOOT_A "x\n",
	    FLOOR_T, why, sizeof(why)), -1);
	assert_int_equal(floor_of("1795600800 2026-11-25T10:00:00Z "
	    "3F1C2A9E-5B7D-4C1E-9A0B-6D2E8F4A1C3B\n", FLOOR_T, why,
	    sizeof(why)), -1);
	assert_int_equal(floor_of("1795600800 2026-11-25T10:00:00Z "
	    "3f1c2a9e05b7d-4c1e-9a0b-6d2e8f4a1c3b\n", FLOOR_T, why,
	    sizeof(why)), -1);
	assert_int_equal(floor_of("1795600800 2026-11-25T10:00:00Z \n",
	    FLOOR_T, why, sizeof(why)), -1);
	assert_int_equal(floor_of("1795600800 2026-11-25T10:00:00Z  " BOOT_A,
	    FLOOR_T, why, sizeof(why)), -1);
	assert_int_equal(floor_of("1795600801 2026-11-25T10:00:00Z " BOOT_A,
	    FLOOR_T, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "damaged"));
}

/* More than 20 years after the build date: a damaged or forged file. */
static void
test_future_floor_is_not_trusted(void **state)
{
	char line[FLOOR_LINE_MAX], why[FLOOR_ERR_LEN];
	int64_t build = FLOOR_T - FLOOR_AHEAD_MAX;

	(void)state;
	assert_int_equal(FLOOR_AHEAD_MAX, 631152000);
	floor_format(FLOOR_T, "", line, sizeof(line));
	assert_int_equal(floor_of(line, build, why, sizeof(why)), 0);
	assert_int_equal(floor_of(line, build - 1, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "2026-11-25T10:00:00Z is more than 20 "
	    "years after ntpsync's build date"));
	/* Earlier than the build date: harmless, the build date rules. */
	assert_int_equal(floor_of(line, FLOOR_T + 1000, why, sizeof(why)), 0);
}

static void
test_floor_file_round_trip(void **state)
{
	char dir[] = "/tmp/ntpsync-floor-XXXXXX", path[64], link[64], tmp[64];
	char err[256], id[FLOOR_BOOT_ID_LEN];
	struct stat st;
	int64_t sec = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/floor", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(tmp, sizeof(tmp), "%s/floor.tmp", dir);
	assert_int_equal(floor_load(path, FLOOR_T, &sec, id, err, sizeof(err)),
	    1);
	assert_int_equal(floor_save(path, FLOOR_T, BOOT_A), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(floor_load(path, FLOOR_T, &sec, id, err, sizeof(err)),
	    0);
	assert_int_equal(sec, FLOOR_T);
	assert_string_equal(id, BOOT_A);
	/* A link planted at the path is not followed. */
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(floor_load(link, FLOOR_T, &sec, id, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, link));
	assert_non_null(strstr(err, "a symbolic link, not followed"));
	/* A directory is not a floor. */
	assert_int_equal(floor_load(dir, FLOOR_T, &sec, id, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "not a regular file"));
	unlink(link);
	unlink(path);
	rmdir(dir);
}

/* A board at 1970 is stepped forward to the floor; a later clock is not. */
static void
test_clock_is_raised_to_the_floor_never_back(void **state)
{
	int error;

	(void)state;
	expect_step(FLOOR_T, 0, 0);
	assert_int_equal(clock_raise(FLOOR_T, &error), RAISE_STEPPED);
	expect_step(FLOOR_T, 0, EPERM);
	assert_int_equal(clock_raise(FLOOR_T, &error), RAISE_FAILED);
	assert_int_equal(error, EPERM);
	/* The clock reads 1000.5: a floor of 1000 is behind it. */
	assert_int_equal(clock_raise(1000, &error), RAISE_NOT_NEEDED);
	expect_step(1001, 0, 0);
	assert_int_equal(clock_raise(1001, &error), RAISE_STEPPED);
}

/*
 * The lower bound is the later of the build date and the floor: the shift
 * of an unset clock and so the NTS certificate time (the clock shifted)
 * start there.
 */
static void
test_floor_later_than_the_build_date_is_the_lower_bound(void **state)
{
	(void)state;
	run.policy.build_epoch = FLOOR_T - 3600;
	run.policy.floor = FLOOR_T;
	assert_int_equal(clock_lower_bound(&run.policy), FLOOR_T);
	run.policy.shift = clock_unset_shift(clock_lower_bound(&run.policy));
	assert_int_equal(run.policy.shift, FLOOR_T - 1000);
	assert_int_equal(clock_seconds(run.policy.shift), FLOOR_T);
	run.policy.floor = FLOOR_T - 7200;
	assert_int_equal(clock_lower_bound(&run.policy), FLOOR_T - 3600);
}

/*
 * A clock stepped to the floor by this run has still not been set: the
 * -m limit does not hold it at the last boot's time.
 */
static void
test_clock_raised_to_the_floor_steps_beyond_the_limit(void **state)
{
	static const struct timespec at_floor = { FLOOR_T, 0 };

	(void)state;
	fake_realtime = &at_floor;
	run.policy.build_epoch = FLOOR_T - 86400;
	run.policy.floor = FLOOR_T;
	assert_int_equal(clock_plan_now(&run.policy, NTP_DUR_SEC(86400)),
	    CLOCK_OVER_LIMIT);
	run.policy.restored = 1;
	assert_int_equal(clock_plan_now(&run.policy, NTP_DUR_SEC(86400)),
	    CLOCK_STEPPED);
	/* Before the floor (under -q, not raised): unset as well. */
	run.policy.restored = 0;
	assert_int_equal(clock_plan(&run.policy, NTP_DUR_SEC(86400),
	    FLOOR_T - 1), CLOCK_STEPPED);
}

/*
 * -F: no floor saved yet, or one another boot saved (the last boot's sync
 * or shutdown), or a line without a boot id (not this ntpsync's): nothing
 * has synchronized the clock since the board started, even when this
 * boot's clock was stepped to the floor by an earlier run.  A kernel
 * without boot ids cannot tell: a floor is then this boot's.
 */
static void
test_fresh_boot_is_no_floor_or_another_boots(void **state)
{
	char id[FLOOR_BOOT_ID_LEN];

	(void)state;
	assert_int_equal(floor_fresh_boot(0, "", BOOT_A), 1);
	assert_int_equal(floor_fresh_boot(0, "", ""), 1);
	assert_int_equal(floor_fresh_boot(FLOOR_T, BOOT_B, BOOT_A), 1);
	assert_int_equal(floor_fresh_boot(FLOOR_T, "", BOOT_A), 1);
	assert_int_equal(floor_fresh_boot(FLOOR_T, BOOT_A, BOOT_A), 0);
	assert_int_equal(floor_fresh_boot(FLOOR_T, BOOT_B, ""), 0);
	assert_int_equal(floor_fresh_boot(FLOOR_T, "", ""), 0);
	/* This machine's own id, as the kernel gives it. */
	floor_boot_id(id);
	assert_int_equal(strlen(id), FLOOR_BOOT_ID_LEN - 1);
}

/*
 * A clock past the floor and the build date that no sync has set since
 * this boot (systemd moved it to its own build date, say) is not held by
 * -m either; once this boot's sync is saved, it is.
 */
static void
test_clock_not_synced_since_boot_steps_beyond_the_limit(void **state)
{
	static const struct timespec past_floor = { FLOOR_T + 3600, 0 };

	(void)state;
	fake_realtime = &past_floor;
	run.policy.build_epoch = FLOOR_T - 86400;
	run.policy.floor = FLOOR_T;
	run.policy.fresh_boot = 1;
	assert_int_equal(clock_plan_now(&run.policy, NTP_DUR_SEC(86400)),
	    CLOCK_STEPPED);
	assert_int_equal(clock_plan_now(&run.policy, NTP_DUR_SEC(-86400)),
	    CLOCK_STEPPED);
	run.policy.fresh_boot = 0;
	assert_int_equal(clock_plan_now(&run.policy, NTP_DUR_SEC(86400)),
	    CLOCK_OVER_LIMIT);
}

/* ---- conclude(): which server, and whether the clock is touched ---- */

static struct ntp_server servers[MAX_PEERS];
static struct ntp_result results[MAX_PEERS];
static struct outcome oc;

static void
add_sample(size_t i, const char *addr, int stratum, ntp_dur offset,
    ntp_dur delay)
{
	struct ntp_result *r = &results[i];

	snprintf(servers[i].addr, sizeof(servers[i].addr), "%s", addr);
	r->sample[r->nsamples].offset = offset;
	r->sample[r->nsamples].delay = delay;
	r->sample[r->nsamples].root_distance = delay / 2 + NTP_DUR_MSEC(1);
	r->sample[r->nsamples].stratum = stratum;
	r->nsamples++;
}

static void
no_servers(void)
{
	memset(servers, 0, sizeof(servers));
	memset(results, 0, sizeof(results));
}

static void
test_query_and_debug_never_touch_the_clock(void **state)
{
	(void)state;
	no_servers();
	add_sample(0, "192.0.2.1", 2, NTP_DUR_SEC(10), NTP_DUR_MSEC(1));
	opt.query = 1;
	assert_int_equal(conclude(&run, servers, results, 1, &oc), EXIT_SYNCED);
	opt.query = 0;
	opt.debug = 1;
	assert_int_equal(conclude(&run, servers, results, 1, &oc), EXIT_SYNCED);
}

/*
 * -F: a server that would take the clock back before the floor is
 * refused, under -q too, with no clock call; -b accepts it.
 */
static void
test_time_before_the_floor_is_refused_without_b(void **state)
{
	static const struct timespec now = { FLOOR_T, 0 };

	(void)state;
	fake_realtime = &now;
	opt.floor_file = rep.floor_file = "/nonexistent/floor";
	run.policy.floor = FLOOR_T - 10;
	no_servers();
	add_sample(0, "192.0.2.1", 2, -NTP_DUR_SEC(11), NTP_DUR_MSEC(1));
	assert_int_equal(conclude(&run, servers, results, 1, &oc),
	    EXIT_ROLLBACK);
	assert_non_null(strstr(oc.reason, "before the time floor"));
	assert_string_equal(oc.action, "none");
	opt.query = 1;
	assert_int_equal(conclude(&run, servers, results, 1, &oc),
	    EXIT_ROLLBACK);
	opt.query = 0;
	/* At the floor exactly: no rollback. */
	no_servers();
	add_sample(0, "192.0.2.1", 2, -NTP_DUR_SEC(10), NTP_DUR_MSEC(1));
	expect_step(FLOOR_T - 10, 0, 0);
	assert_int_equal(conclude(&run, servers, results, 1, &oc), EXIT_SYNCED);
	assert_int_equal(oc.server_time, FLOOR_T - 10);
	no_servers();
	add_sample(0, "192.0.2.1", 2, -NTP_DUR_SEC(11), NTP_DUR_MSEC(1));
	run.policy.adjust = ADJUST_STEP;
	expect_step(FLOOR_T - 11, 0, 0);
	assert_int_equal(conclude(&run, servers, results, 1, &oc), EXIT_SYNCED);
}

static void
test_no_reply_means_exit_4_and_no_clock_call(void **state)
{
	(void)state;
	no_servers();
	results[1].error = ECONNREFUSED;
	assert_int_equal(conclude(&run, servers, results, 2, &oc), EXIT_NO_REPLY);
}

static void
test_rejected_replies_mean_exit_1_and_no_clock_call(void **state)
{
	(void)state;
	no_servers();
	results[0].last = NTP_STRATUM_HIGH;
	assert_int_equal(conclude(&run, servers, results, 2, &oc),
	    EXIT_NO_SUITABLE);
}

static void
test_kiss_of_death_from_every_server_means_exit_6(void **state)
{
	(void)state;
	no_servers();
	results[0].last = NTP_KOD_RATE;
	results[0].kissed = 1;
	results[1].last = NTP_KOD_DENY;
	results[1].kissed = 1;
	assert_int_equal(failure_code(results, 2), EXIT_KOD);
	results[1].kissed = 0;
	results[1].last = NTP_STRATUM_HIGH;
	assert_int_equal(failure_code(results, 2), EXIT_NO_SUITABLE);
	assert_int_equal(failure_code(results, 0), EXIT_DNS);
}

static void
test_lowest_delay_sample_of_a_server_is_used(void **state)
{
	(void)state;
	no_servers();
	add_sample(0, "192.0.2.1", 2, NTP_DUR_MSEC(300), NTP_DUR_MSEC(9));
	add_sample(0, "192.0.2.1", 2, NTP_DUR_MSEC(200), NTP_DUR_MSEC(1));
	add_sample(0, "192.0.2.1", 2, NTP_DUR_MSEC(100), NTP_DUR_MSEC(5));
	expect_slew(0, 200000, 0);
	assert_int_equal(conclude(&run, servers, results, 1, &oc), EXIT_SYNCED);
}

static void
test_liar_outvoted_by_two_good_servers(void **state)
{
	(void)state;
	no_servers();
	/* The liar has the best stratum: only the vote can stop it. */
	add_sample(0, "192.0.2.1", 1, NTP_DUR_SEC(10), NTP_DUR_MSEC(1));
	add_sample(1, "192.0.2.2", 3, NTP_DUR_MSEC(2), NTP_DUR_MSEC(1));
	add_sample(2, "192.0.2.3", 2, NTP_DUR_MSEC(2) + 100, NTP_DUR_MSEC(2));
	expect_slew(0, 2000, 0);
	assert_int_equal(conclude(&run, servers, results, 3, &oc), EXIT_SYNCED);
}

/*
 * One right, one +10 s: no majority, no clock change (no clock call is
 * expected, so one would fail the test), exit 11, also under -q.  Before,
 * the liar won when it claimed stratum 1, and at equal strata the one
 * with the lower delay did.
 */
static void
test_two_disagreeing_servers_change_nothing(void **state)
{
	(void)state;
	no_servers();
	add_sample(0, "192.0.2.1", 2, 0, NTP_DUR_MSEC(2));
	add_sample(1, "192.0.2.2", 1, NTP_DUR_SEC(10), NTP_DUR_MSEC(1));
	assert_int_equal(conclude(&run, servers, results, 2, &oc),
	    EXIT_NO_MAJORITY);
	assert_null(oc.chosen);
	assert_true(oc.no_majority);
	assert_string_equal(oc.reason, "the servers that answered disagree, "
	    "without a majority");
	assert_string_equal(oc.action, "none");
	results[1].sample[0].stratum = 2;
	assert_int_equal(conclude(&run, servers, results, 2, &oc),
	    EXIT_NO_MAJORITY);
	opt.query = 1;
	assert_int_equal(conclude(&run, servers, results, 2, &oc),
	    EXIT_NO_MAJORITY);
}

/* A silent third server does not count: two that answered, disagreeing. */
static void
test_silent_server_does_not_make_a_majority(void **state)
{
	(void)state;
	no_servers();
	add_sample(0, "192.0.2.1", 2, 0, NTP_DUR_MSEC(2));
	add_sample(2, "192.0.2.3", 2, NTP_DUR_SEC(10), NTP_DUR_MSEC(1));
	snprintf(servers[1].addr, sizeof(servers[1].addr), "192.0.2.2");
	assert_int_equal(conclude(&run, servers, results, 3, &oc),
	    EXIT_NO_MAJORITY);
	assert_int_equal(oc.candidates, 2);
}

/* ---- the exchange: what a reply does to a server's state ---- */

static struct xchg_config xc;
static struct xchg_error xe;
static struct ntp_server server;
static struct ntp_result result;
/* The authentication make_peer() gives the exchange. */
static const struct ntp_auth *peer_auth = &ntp_auth_none;

static int
make_peer(struct xchg_peer *p, int samples)
{
	int sv[2];

	memset(p, 0, sizeof(*p));
	memset(&server, 0, sizeof(server));
	memset(&result, 0, sizeof(result));
	snprintf(server.addr, sizeof(server.addr), "192.0.2.1");
	xc = (struct xchg_config){ .family = AF_UNSPEC, .version = NTP_VERSION,
	    .samples = samples, .timeout_ns = NSEC_PER_SEC,
	    .auth = peer_auth };
	fake_realtime = NULL;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	p->server = &server;
	p->res = &result;
	p->fd = sv[0];
	result.rto = NSEC_PER_SEC / 10;
	assert_int_equal(xchg_send(p, &xc, &xe), 0);
	assert_int_equal(p->res->sent, 1);
	return sv[1];
}

static void
handle_reply(struct xchg_peer *p, const uint8_t *buf, size_t len)
{
	struct xchg_rx rx = { .len = len, .t4 = clock_ntp_now(0),
	    .t4_source = XCHG_T4_CLOCK };

	assert_int_equal(xchg_handle_reply(p, buf, len, &rx, &xc, &xe), 0);
}

/* A good reply to the last request: the server is 1 s ahead. */
static void
reply_to(struct xchg_peer *p, uint8_t *buf, uint8_t stratum, uint32_t refid)
{
	const struct xchg_request *r = &p->req[(p->res->sent - 1) % MAX_REQUESTS];
	uint64_t t = r->t1 + ((uint64_t)1 << 32);
	int i;

	memset(buf, 0, NTP_PACKET_LEN);
	buf[NTP_OFF_LI_VN_MODE] = NTP_VERSION << NTP_VN_SHIFT | NTP_MODE_SERVER;
	buf[NTP_OFF_STRATUM] = stratum;
	buf[NTP_OFF_PRECISION] = (uint8_t)-20;
	for (i = 0; i < 4; i++)
		buf[NTP_OFF_REFID + i] = (uint8_t)(refid >> (24 - 8 * i));
	for (i = 0; i < 8; i++) {
		buf[NTP_OFF_ORG_TS + i] = (uint8_t)(r->xmt >> (56 - 8 * i));
		buf[NTP_OFF_RX_TS + i] = (uint8_t)(t >> (56 - 8 * i));
		buf[NTP_OFF_TX_TS + i] = (uint8_t)(t >> (56 - 8 * i));
	}
}

static void
test_samples_are_collected_then_the_server_is_done(void **state)
{
	struct xchg_peer p;
	uint8_t buf[NTP_PACKET_LEN];
	int other = make_peer(&p, 2);

	(void)state;
	reply_to(&p, buf, 2, 0);
	handle_reply(&p, buf, sizeof(buf));
	assert_int_equal(p.res->nsamples, 1);
	assert_int_equal(p.res->sent, 2);	/* the next request left at once */
	assert_false(p.done);
	reply_to(&p, buf, 2, 0);
	handle_reply(&p, buf, sizeof(buf));
	assert_int_equal(p.res->nsamples, 2);
	assert_true(p.done);
	close(other);
}

static void
test_forgery_and_duplicate_do_not_end_the_exchange(void **state)
{
	struct xchg_peer p;
	uint8_t buf[NTP_PACKET_LEN], dup[NTP_PACKET_LEN];
	int other = make_peer(&p, 2);

	(void)state;
	reply_to(&p, buf, 0, NTP_KISS_DENY);
	buf[NTP_OFF_ORG_TS + 7] ^= 1;	/* an off-path DENY: wrong origin */
	handle_reply(&p, buf, sizeof(buf));
	assert_false(p.done);
	assert_int_equal(p.res->last, NTP_BOGUS);
	reply_to(&p, dup, 2, 0);
	handle_reply(&p, dup, sizeof(dup));
	assert_int_equal(p.res->nsamples, 1);
	handle_reply(&p, dup, sizeof(dup));
	assert_int_equal(p.res->nsamples, 1);
	assert_int_equal(p.res->last, NTP_DUPLICATE);
	assert_false(p.done);
	close(other);
}

/* -a 1 with the key of the captured ntpd exchanges ("1 MD5 secret1"). */
#define AUTH_KEYID		1
#define AUTH_LEN		(NTP_PACKET_LEN + 4 + MAC_MD5_LEN)
static struct ntp_key auth_key = { .id = AUTH_KEYID, .type = MAC_MD5,
    .len = 7, .bytes = "secret1" };
static struct ntp_auth key_auth;
static struct ntp_auth_req areq;

static int
make_keyed_peer(struct xchg_peer *p, int samples)
{
	int other;

	auth_key_init(&key_auth, &auth_key);
	peer_auth = &key_auth;
	other = make_peer(p, samples);
	peer_auth = &ntp_auth_none;
	return other;
}

/* A reply as reply_to() makes it, signed as the server would. */
static void
signed_reply_to(struct xchg_peer *p, uint8_t *buf)
{
	reply_to(p, buf, 2, 0);
	assert_int_equal(key_auth.sign(&key_auth, NULL, &areq, buf,
	    NTP_PACKET_LEN, AUTH_LEN), AUTH_LEN);
}

static void
test_keyed_request_carries_key_id_and_mac(void **state)
{
	struct xchg_peer p;
	uint8_t buf[NTP_REQUEST_MAX];
	int other = make_keyed_peer(&p, 1);

	(void)state;
	assert_int_equal(recv(other, buf, sizeof(buf), MSG_DONTWAIT), AUTH_LEN);
	assert_memory_equal(buf + NTP_PACKET_LEN, "\0\0\0\1", 4);
	assert_true(mac_verify(MAC_MD5, auth_key.bytes, auth_key.len, buf,
	    NTP_PACKET_LEN, buf + NTP_PACKET_LEN + 4, MAC_MD5_LEN));
	close(other);
}

/*
 * A reply whose MAC fails is not used, and does not use up the request:
 * it may be forged by anyone who saw the request, and the real reply to
 * the same request is taken after it.
 */
static void
test_bad_mac_is_not_used_and_the_real_reply_still_is(void **state)
{
	struct xchg_peer p;
	uint8_t buf[AUTH_LEN];
	int other = make_keyed_peer(&p, 1);

	(void)state;
	signed_reply_to(&p, buf);
	buf[AUTH_LEN - 1] ^= 1;
	handle_reply(&p, buf, sizeof(buf));
	assert_int_equal(p.res->last, NTP_AUTH_FAILED);
	assert_int_equal(p.res->nsamples, 0);
	assert_false(p.done);
	handle_reply(&p, buf, NTP_PACKET_LEN);	/* stripped */
	assert_int_equal(p.res->last, NTP_AUTH_MISSING);
	assert_int_equal(p.res->nsamples, 0);
	assert_false(p.done);
	buf[AUTH_LEN - 1] ^= 1;
	handle_reply(&p, buf, sizeof(buf));
	assert_int_equal(p.res->nsamples, 1);
	assert_true(p.done);
	close(other);
}

/* The crypto-NAK is the server's answer: it ends the server, no sample. */
static void
test_crypto_nak_ends_the_server(void **state)
{
	struct xchg_peer p;
	uint8_t buf[NTP_PACKET_LEN + 4];
	int other = make_keyed_peer(&p, 4);

	(void)state;
	reply_to(&p, buf, 2, 0);
	memset(buf + NTP_PACKET_LEN, 0, 4);
	handle_reply(&p, buf, sizeof(buf));
	assert_int_equal(p.res->last, NTP_CRYPTO_NAK);
	assert_int_equal(p.res->nsamples, 0);
	assert_true(p.done);
	/* Every server refused us so: no server suitable, exit 1. */
	assert_int_equal(failure_code(p.res, 1), EXIT_NO_SUITABLE);
	close(other);
}

static void
test_kod_rate_keeps_the_samples_that_arrived(void **state)
{
	struct xchg_peer p;
	uint8_t buf[NTP_PACKET_LEN];
	int other = make_peer(&p, 4);

	(void)state;
	reply_to(&p, buf, 2, 0);
	handle_reply(&p, buf, sizeof(buf));
	reply_to(&p, buf, 0, NTP_KISS_RATE);
	handle_reply(&p, buf, sizeof(buf));
	assert_true(p.done);
	assert_int_equal(p.res->nsamples, 1);
	assert_int_equal(p.res->last, NTP_KOD_RATE);
	close(other);
}

static void
test_kod_deny_drops_the_server(void **state)
{
	struct xchg_peer p;
	uint8_t buf[NTP_PACKET_LEN];
	int other = make_peer(&p, 4);

	(void)state;
	reply_to(&p, buf, 2, 0);
	handle_reply(&p, buf, sizeof(buf));
	reply_to(&p, buf, 0, NTP_KISS_DENY);
	handle_reply(&p, buf, sizeof(buf));
	assert_true(p.done);
	assert_int_equal(p.res->nsamples, 0);
	assert_int_equal(p.res->last, NTP_KOD_DENY);
	close(other);
}

/*
 * One sample spoilt by our clock jumping +10 s between T1 and T4 (or a slow
 * one) is dropped; the server and its good samples stay.  Before, "root
 * distance too large" dropped the server with its samples.
 */
static void
test_slow_sample_is_dropped_not_the_server(void **state)
{
	struct xchg_peer p;
	struct xchg_rx rx;
	uint8_t buf[NTP_PACKET_LEN];
	int other = make_peer(&p, 3);

	(void)state;
	memset(&rx, 0, sizeof(rx));
	reply_to(&p, buf, 2, 0);
	handle_reply(&p, buf, sizeof(buf));
	assert_int_equal(p.res->nsamples, 1);
	reply_to(&p, buf, 2, 0);
	rx.len = sizeof(buf);
	rx.t4 = clock_ntp_now(0) + NTP_DUR_SEC(10);
	rx.t4_source = XCHG_T4_CLOCK;
	assert_int_equal(xchg_handle_reply(&p, buf, sizeof(buf), &rx, &xc,
	    &xe), 0);
	assert_false(p.done);
	assert_int_equal(p.res->nsamples, 1);
	assert_int_equal(p.res->last, NTP_DELAY_TOO_LARGE);
	assert_int_equal(xchg_send(&p, &xc, &xe), 0);	/* the retransmit timer */
	reply_to(&p, buf, 2, 0);
	handle_reply(&p, buf, sizeof(buf));
	assert_int_equal(p.res->nsamples, 2);
	close(other);
}

static void
test_stratum_16_ends_the_server_at_once(void **state)
{
	struct xchg_peer p;
	uint8_t buf[NTP_PACKET_LEN];
	int other = make_peer(&p, 4);

	(void)state;
	reply_to(&p, buf, 16, 0);
	handle_reply(&p, buf, sizeof(buf));
	assert_true(p.done);
	assert_int_equal(p.res->sent, 1);
	assert_int_equal(p.res->last, NTP_STRATUM_HIGH);
	close(other);
}

/*
 * A server that has just started (classic ntpd, NTPsec: LI 3, stratum 0,
 * INIT): not a kiss-o'-death that stops -W from asking again, and said in
 * ntpdate's words with why.
 */
static void
test_init_is_not_synchronized_yet_not_a_kiss(void **state)
{
	struct xchg_peer p;
	uint8_t buf[NTP_PACKET_LEN];
	char why[1024];
	int other = make_peer(&p, 4);

	(void)state;
	reply_to(&p, buf, 0, NTP_KISS_INIT);
	buf[NTP_OFF_LI_VN_MODE] |= NTP_LI_ALARM << NTP_LI_SHIFT;
	handle_reply(&p, buf, sizeof(buf));
	assert_true(p.done);
	assert_false(p.res->kissed);
	assert_int_equal(p.res->nsamples, 0);
	assert_int_equal(p.res->last, NTP_STRATUM_HIGH);
	assert_string_equal(report_failure_reason(&rep, p.res, why,
	    sizeof(why)), "strata too high (stratum 0, kiss code INIT: the "
	    "server is not synchronized yet (just started? it needs a few "
	    "minutes, or a local clock / `local stratum` line))");
	close(other);
}

/* The reason a server was dropped, for the reply it last sent. */
static const char *
reason_for(uint8_t leap, uint8_t stratum, uint32_t refid, enum ntp_verdict v)
{
	static char why[1024];
	struct ntp_result res;

	memset(&res, 0, sizeof(res));
	res.last = v;
	res.last_pkt.leap = leap;
	res.last_pkt.stratum = stratum;
	res.last_pkt.refid = refid;
	return report_failure_reason(&rep, &res, why, sizeof(why));
}

static void
test_unsynchronized_and_kiss_codes_in_words(void **state)
{
	(void)state;
	/* chrony, OpenNTPD */
	assert_string_equal(reason_for(3, 0, 0, NTP_STRATUM_HIGH),
	    "strata too high (stratum 0, leap indicator 3: the server is not "
	    "synchronized yet (just started? it needs a few minutes, or a "
	    "local clock / `local stratum` line))");
	/* busybox */
	assert_string_equal(reason_for(3, 16, 0, NTP_STRATUM_HIGH),
	    "strata too high (stratum 16: the server is not synchronized yet "
	    "(just started? it needs a few minutes, or a local clock / "
	    "`local stratum` line))");
	/* what it is, not 16 */
	assert_string_equal(reason_for(0, 200, 0, NTP_STRATUM_HIGH),
	    "strata too high (stratum 200: no such stratum; 1 to 15 are "
	    "synchronized servers, 16 an unsynchronized one)");
	assert_string_equal(reason_for(3, 0, NTP_KISS_STEP, NTP_STRATUM_HIGH),
	    "strata too high (stratum 0, kiss code STEP: the server stepped "
	    "its clock and is not synchronized again yet (it needs a few "
	    "minutes))");
	assert_string_equal(reason_for(3, 0, NTP_KISS_AUTH, NTP_KOD_OTHER),
	    "kiss-o'-death AUTH (server authentication failed: the server "
	    "sent no time)");
	assert_string_equal(reason_for(3, 0, NTP_KISS('X', 'Y', 0, 0),
	    NTP_KOD_OTHER), "kiss-o'-death XY (a kiss code RFC 5905 does not "
	    "define: the server sent no time)");
	assert_string_equal(reason_for(0, 0, 0, NTP_KOD_OTHER),
	    "kiss-o'-death (stratum 0 without a kiss code: the server sent "
	    "no time)");
}

/* -a: the reasons of a failed authentication, and of a silent server. */
static void
test_authentication_reasons_in_words(void **state)
{
	static char why[1024];
	struct ntp_result res;

	(void)state;
	assert_string_equal(reason_for(0, 4, 0, NTP_CRYPTO_NAK),
	    "crypto-NAK (the server could not verify our request's MAC (key "
	    "id 0, no digest): the server does not have this key or it "
	    "differs)");
	assert_string_equal(reason_for(0, 4, 0, NTP_AUTH_FAILED),
	    "authentication failed (the reply's MAC does not verify with our "
	    "key: a forgery, a corrupted reply, or the server's key differs)");
	memset(&res, 0, sizeof(res));
	res.sent = 3;
	rep.timeout_ns = NSEC_PER_SEC;
	rep.key_id = 7;
	rep.mac = "SHA1";
	assert_string_equal(report_failure_reason(&rep, &res, why,
	    sizeof(why)), "no reply within 1.000 s (3 requests sent, signed "
	    "with key 7): chrony and NTPsec do not answer a key they do not "
	    "have, or one that differs; the key is probably not known to the "
	    "server");
	rep.key_id = 0;
	rep.mac = NULL;
	assert_string_equal(report_failure_reason(&rep, &res, why,
	    sizeof(why)), "no reply within 1.000 s (3 requests sent)");
}

/* ---- the pace of the requests over a run ---- */

#define RTO_MAX			(8LL * NSEC_PER_SEC)	/* exchange.c */

/* A later round for p: a fresh socket, the same run-long result. */
static int
next_round(struct xchg_peer *p)
{
	int sv[2];

	if (p->fd != -1)
		close(p->fd);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	p->fd = sv[0];
	p->done = 0;
	p->sent = 0;
	p->deadline = INT64_MAX;
	return sv[1];
}

/* The request that was due is taken as lost; the next one leaves. */
static void
due(struct xchg_peer *p, int other)
{
	uint8_t buf[NTP_PACKET_LEN];

	assert_int_equal(xchg_due(p, p->res->next_tx, &xc, &xe), 0);
	while (recv(other, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void
test_unanswered_requests_back_off_exponentially(void **state)
{
	struct xchg_peer p;
	int other = make_peer(&p, 4), i;
	int64_t want = NSEC_PER_SEC / 10;

	(void)state;
	for (i = 0; i < 10; i++) {
		assert_int_equal(result.rto, want);
		due(&p, other);
		want = want * 2 > RTO_MAX ? RTO_MAX : want * 2;
		assert_int_equal(result.run_sent, i + 2);
		assert_true(result.waiting);
		assert_false(result.limited);	/* it never answered */
	}
	assert_int_equal(result.rto, RTO_MAX);
	assert_int_equal(result.losses, 10);
	close(other);
}

/*
 * A server that answered, then leaves two requests in a row unanswered,
 * limits the rate by silence: it is not asked again in this run.  A reply
 * that cannot be used yet (stratum 16) is asked again after 2 s.
 */
static void
test_silence_after_an_answer_ends_the_asking(void **state)
{
	struct xchg_peer p;
	uint8_t buf[NTP_PACKET_LEN];
	int other = make_peer(&p, 4);
	int64_t before = clock_mono_ns();

	(void)state;
	reply_to(&p, buf, 16, 0);
	handle_reply(&p, buf, sizeof(buf));
	assert_true(p.done);
	assert_false(result.waiting);
	assert_int_equal(result.rto, 2LL * NSEC_PER_SEC);
	assert_true(result.next_tx >= before + 2LL * NSEC_PER_SEC);
	close(other);
	other = next_round(&p);
	due(&p, other);			/* asked again */
	assert_int_equal(result.run_sent, 2);
	due(&p, other);			/* no answer: once more */
	assert_int_equal(result.run_sent, 3);
	assert_false(result.limited);
	due(&p, other);			/* no answer again: it is limited */
	assert_int_equal(result.run_sent, 3);
	assert_true(result.limited);
	assert_true(p.done);
	close(other);
}

/* The same after a sample: the sample is kept. */
static void
test_silence_after_a_sample_keeps_it(void **state)
{
	struct xchg_peer p;
	uint8_t buf[NTP_PACKET_LEN];
	int other = make_peer(&p, 4);

	(void)state;
	reply_to(&p, buf, 2, 0);
	handle_reply(&p, buf, sizeof(buf));
	assert_int_equal(result.run_sent, 2);	/* the next sample's request */
	due(&p, other);
	due(&p, other);
	assert_true(result.limited);
	assert_true(p.done);
	assert_int_equal(result.nsamples, 1);
	assert_int_equal(result.run_sent, 3);
	close(other);
}

/* Under -W no round begins an address after the deadline. */
static void
test_no_round_begins_after_the_wait(void **state)
{
	struct xchg_peer p;
	int other = make_peer(&p, 4);

	(void)state;
	close(other);
	other = next_round(&p);
	xc.until = result.next_tx;
	due(&p, other);
	assert_true(p.done);
	assert_int_equal(result.run_sent, 1);
	xc.until = 0;
	close(other);
}

/* What the exchange reported, by type, for the tests that watch it. */
#define EVENT_TYPES		32
static int events[EVENT_TYPES];
static struct xchg_event last_receive;

static void
count_event(void *ctx, const struct xchg_event *e)
{
	(void)ctx;
	assert_true((unsigned)e->type < EVENT_TYPES);
	events[e->type]++;
	if (e->type == XCHG_RECEIVE)
		last_receive = *e;
}

static void
watch_events(void)
{
	memset(events, 0, sizeof(events));
	memset(&last_receive, 0, sizeof(last_receive));
	xc.hook = count_event;
}

/* Queue up to max copies of buf on fd; returns how many the socket took. */
static int
flood(int fd, const uint8_t *buf, size_t len, int max)
{
	int n;

	for (n = 0; n < max; n++)
		if (send(fd, buf, len, MSG_DONTWAIT) != (ssize_t)len)
			break;
	return n;
}

/*
 * Datagrams that keep arriving (here: already queued) must not hold the
 * receive loop past the server's deadline: one is read, then the loop
 * returns so that the caller sees the deadline.
 */
static void
test_a_flood_does_not_hold_the_receive_past_the_deadline(void **state)
{
	struct xchg_peer p;
	uint8_t buf[NTP_PACKET_LEN];
	int other = make_peer(&p, 4), queued;

	(void)state;
	reply_to(&p, buf, 2, 0);
	buf[NTP_OFF_ORG_TS + 7] ^= 1;	/* wrong origin: never used */
	queued = flood(other, buf, sizeof(buf), 64);
	assert_true(queued >= 2);
	watch_events();
	p.deadline = clock_mono_ns() - 1;
	assert_int_equal(xchg_receive(&p, &xc, &xe), 0);
	assert_int_equal(events[XCHG_RECEIVE], 1);
	assert_false(p.done);
	close(other);
}

/* Before the deadline, one socket gives at most a batch per wakeup. */
static void
test_a_flood_is_read_in_batches(void **state)
{
	struct xchg_peer p;
	uint8_t buf[NTP_PACKET_LEN];
	int other = make_peer(&p, 4), queued;

	(void)state;
	reply_to(&p, buf, 2, 0);
	buf[NTP_OFF_ORG_TS + 7] ^= 1;
	queued = flood(other, buf, sizeof(buf), 64);
	assert_true(queued > XCHG_RECV_BATCH);
	watch_events();
	p.deadline = clock_mono_ns() + 60LL * NSEC_PER_SEC;
	assert_int_equal(xchg_receive(&p, &xc, &xe), 0);
	assert_int_equal(events[XCHG_RECEIVE], XCHG_RECV_BATCH);
	close(other);
}

/* Queue buf for p and read it as a round would. */
static void
receive_one(struct xchg_peer *p, int other, const uint8_t *buf, size_t len)
{
	assert_int_equal(send(other, buf, len, 0), (ssize_t)len);
	watch_events();
	p->deadline = clock_mono_ns() + 60LL * NSEC_PER_SEC;
	assert_int_equal(xchg_receive(p, &xc, &xe), 0);
	assert_int_equal(events[XCHG_RECEIVE], 1);
}

/*
 * A datagram longer than the receive buffer: its real length is reported
 * (MSG_TRUNC), not the buffer's; the header at its start is still read.
 */
static void
test_a_reply_longer_than_the_buffer_keeps_its_length(void **state)
{
	struct xchg_peer p;
	uint8_t big[1400];
	int other = make_peer(&p, 4);

	(void)state;
	memset(big, 0, sizeof(big));
	reply_to(&p, big, 2, 0);
	receive_one(&p, other, big, sizeof(big));
	assert_int_equal(last_receive.len, sizeof(big));
	assert_true(last_receive.truncated);
	assert_int_equal(last_receive.verdict, NTP_OK);
	close(other);
}

#ifdef WRAP_RECVMSG
static int
timestamped_peer(struct xchg_peer *p)
{
	int other = make_peer(p, 4), on = 1;

	assert_int_equal(setsockopt(p->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on,
	    sizeof(on)), 0);
	return other;
}

/*
 * musl on a 32-bit CPU with a kernel before 5.1: the control buffer must
 * hold the kernel's 32-bit timestamp and musl's 64-bit copy, or T4 falls
 * back to the clock.
 */
static void
test_the_receive_timestamp_fits_in_32_bit_musl_layouts(void **state)
{
	struct xchg_peer p;
	uint8_t buf[NTP_PACKET_LEN];
	int other = timestamped_peer(&p);

	(void)state;
	reply_to(&p, buf, 2, 0);
	recvmsg_mode = RECVMSG_MUSL32_OLD_KERNEL;
	receive_one(&p, other, buf, sizeof(buf));
	recvmsg_mode = RECVMSG_REAL;
	assert_int_equal(last_receive.verdict, NTP_OK);
	assert_int_equal(last_receive.t4_source, XCHG_T4_KERNEL);
	close(other);
}

/* A fallback to the clock is reported, and why. */
static void
test_t4_says_when_it_falls_back_to_the_clock(void **state)
{
	struct xchg_peer p;
	uint8_t buf[NTP_PACKET_LEN];
	int other = timestamped_peer(&p);

	(void)state;
	reply_to(&p, buf, 2, 0);
	receive_one(&p, other, buf, sizeof(buf));
	assert_int_equal(last_receive.t4_source, XCHG_T4_KERNEL);
	reply_to(&p, buf, 2, 0);
	recvmsg_mode = RECVMSG_NO_ROOM;
	receive_one(&p, other, buf, sizeof(buf));
	recvmsg_mode = RECVMSG_REAL;
	assert_int_equal(last_receive.verdict, NTP_OK);
	assert_int_equal(last_receive.t4_source, XCHG_T4_CUT);
	close(other);
	other = make_peer(&p, 4);	/* no SO_TIMESTAMPNS */
	reply_to(&p, buf, 2, 0);
	receive_one(&p, other, buf, sizeof(buf));
	assert_int_equal(last_receive.t4_source, XCHG_T4_CLOCK);
	close(other);
}
#endif

/* ---- names and the table of addresses ---- */

/* A lookup of count IPv4 addresses from first on (host order). */
static void
lookup_of(struct xchg_lookup *l, uint32_t first, uint32_t count)
{
	uint32_t i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < count && i < XCHG_LOOKUP_MAX; i++) {
		l->addr[i].len = sizeof(struct sockaddr_in);
		l->addr[i].u.in.sin_family = AF_INET;
		l->addr[i].u.in.sin_port = htons(NTP_PORT);
		l->addr[i].u.in.sin_addr.s_addr = htonl(first + i);
	}
	l->naddr = i;
}

static size_t
servers_of(const struct ntp_server *s, size_t n, const char *host)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += strcmp(s[i].host, host) == 0;
	return k;
}

/*
 * A name with many addresses does not crowd out the names after it: each
 * gets its share, one address of each in turn.
 */
static void
test_every_name_gets_its_share_of_the_table(void **state)
{
	struct xchg_host hosts[3] = { { .name = "many.test" },
	    { .name = "one.test" }, { .name = "two.test" } };
	struct xchg_lookup many, one, two;
	const struct xchg_lookup *found[3] = { &many, &one, &two };
	size_t n;

	(void)state;
	memset(&xc, 0, sizeof(xc));
	watch_events();
	lookup_of(&many, 0xc0000201, 16);	/* 192.0.2.1 ... */
	lookup_of(&one, 0xc6336401, 1);		/* 198.51.100.1 */
	lookup_of(&two, 0xcb007101, 2);		/* 203.0.113.1, .2 */
	no_servers();
	n = xchg_share(hosts, 3, found, servers, 0, &xc);
	assert_int_equal(n, MAX_PEERS);
	assert_int_equal(servers_of(servers, n, "many.test"), MAX_PEERS - 3);
	assert_int_equal(servers_of(servers, n, "one.test"), 1);
	assert_int_equal(servers_of(servers, n, "two.test"), 2);
	assert_string_equal(servers[1].addr, "198.51.100.1");
	assert_int_equal(events[XCHG_TOO_MANY], 1);
	assert_true(hosts[0].resolved && hosts[1].resolved && hosts[2].resolved);
}

/*
 * A name that does not resolve yet keeps its share for a later -W round;
 * an address two names share is asked once.
 */
static void
test_a_name_left_keeps_its_share(void **state)
{
	struct xchg_host hosts[2] = { { .name = "many.test" },
	    { .name = "later.test" } };
	struct xchg_lookup many, later;
	const struct xchg_lookup *found[2] = { &many, NULL };
	size_t n;

	(void)state;
	memset(&xc, 0, sizeof(xc));
	watch_events();
	lookup_of(&many, 0xc0000201, 16);
	no_servers();
	n = xchg_share(hosts, 2, found, servers, 0, &xc);
	assert_int_equal(n, MAX_PEERS / 2);
	assert_false(hosts[1].resolved);
	lookup_of(&later, 0xc0000201, 3);	/* all three are many's */
	found[0] = NULL;
	found[1] = &later;
	n = xchg_share(hosts, 2, found, servers, n, &xc);
	assert_int_equal(n, MAX_PEERS / 2);
	lookup_of(&later, 0xc6336401, 12);
	n = xchg_share(hosts, 2, found, servers, n, &xc);
	assert_int_equal(n, MAX_PEERS);
	assert_int_equal(servers_of(servers, n, "later.test"), MAX_PEERS / 2);
}

/* Names are resolved in children; numeric ones only here (no DNS). */
static void
test_names_resolve_in_children(void **state)
{
	struct xchg_host hosts[2] = { { .name = "127.0.0.1" },
	    { .name = "::1" } };
	size_t n;

	(void)state;
	memset(&xc, 0, sizeof(xc));
	xc.family = AF_UNSPEC;
	watch_events();
	no_servers();
	n = xchg_resolve(hosts, 2, servers, 0, &xc);
	assert_int_equal(n, 2);
	assert_string_equal(servers[0].addr, "127.0.0.1");
	assert_string_equal(servers[1].addr, "::1");
	assert_int_equal(events[XCHG_RESOLVING], 2);
	assert_int_equal(events[XCHG_ADDRESS], 2);
	/* A name in the table is not resolved again. */
	n = xchg_resolve(hosts, 2, servers, n, &xc);
	assert_int_equal(n, 2);
	assert_int_equal(events[XCHG_RESOLVING], 2);
	xc.family = AF_INET;
	hosts[1].resolved = 0;
	n = xchg_resolve(hosts, 2, servers, n, &xc);
	assert_int_equal(n, 2);
	assert_int_not_equal(hosts[1].gai_error, 0);	/* ::1 with -4 */
	assert_int_equal(events[XCHG_UNRESOLVED], 1);
}

/* ---- output: the small printf and the address formatter ---- */

static void
assert_fmt(const char *want, const char *f, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, f);
	str_vfmt(buf, sizeof(buf), f, ap);
	va_end(ap);
	assert_string_equal(buf, want);
}

static void
test_fmt_integers(void **state)
{
	(void)state;
	assert_fmt("a 42 -7 +3", "a %d %d %+d", 42, -7, 3);
	assert_fmt(" 5|05|2026", "%2d|%02d|%04d", 5, 5, 2026);
	assert_fmt("00000000.ffffffff", "%08x.%08x", 0u, 0xffffffffu);
	assert_fmt("00000001deadbeef", "%016llx", 0x1deadbeefULL);
	assert_fmt("-9223372036854775808", "%lld", (long long)INT64_MIN);
	assert_fmt("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	assert_fmt("48 bytes, 007", "%zu bytes, %03lld", (size_t)48, 7LL);
	assert_fmt("x=%", "%c=%%", 'x');
}

static void
test_fmt_fixed_point_decimals(void **state)
{
	(void)state;
	assert_fmt("+0.000012", "%+.6f", 0.0000123);
	assert_fmt("-0.001401", "%+.6f", -0.0014009);
	assert_fmt("+10.000000", "%+.6f", 9.9999996);	/* carries */
	assert_fmt("0.00003", "%.5f", 0.0000251);
	assert_fmt("-3.249997051", "%.9f", -3.249997051);
	assert_fmt("1000", "%.0f", 999.5);
	assert_fmt("0.000000", "%f", 0.0);
}

/* An offset that rounds to zero prints as zero, never "-0.000000". */
static void
test_fmt_no_negative_zero(void **state)
{
	(void)state;
	assert_fmt("+0.000000", "%+.6f", -0.0000004);
	assert_fmt("0.000", "%.3f", -0.0004);
	assert_fmt("+0.000000", "%+.6f", -0.0);
	assert_fmt("-0.000001", "%+.6f", -0.0000006);
}

static void
test_fmt_truncates_safely(void **state)
{
	char buf[6];

	(void)state;
	assert_int_equal(str_fmt(buf, sizeof(buf), "%s", "truncated"), 9);
	assert_string_equal(buf, "trunc");
}

static uint32_t sin6_scope;	/* the scope id addr6() gives */

static const char *
addr6(const uint8_t bytes[16])
{
	static char buf[64];
	struct sockaddr_in6 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_scope_id = sin6_scope;
	memcpy(sin6.sin6_addr.s6_addr, bytes, 16);
	fmt_addr((struct sockaddr *)&sin6, buf, sizeof(buf));
	return buf;
}

static void
test_addresses_as_inet_ntop_writes_them(void **state)
{
	static const uint8_t loopback[16] = { [15] = 1 };
	static const uint8_t any[16] = { 0 };
	static const uint8_t doc[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	/* 2001:db8:0:0:1:0:0:1: two runs of two, the first wins (RFC 5952) */
	static const uint8_t tie[16] = { 0x20, 0x01, 0x0d, 0xb8, [9] = 1,
	    [15] = 1 };
	/* a single zero group is not shortened */
	static const uint8_t one[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1,
	    0, 1, 0, 1, 0, 1, 0, 1 };
	static const uint8_t trailing[16] = { 0xfe, 0x80 };
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2,
	    1 };
	static const uint8_t mapped_zero[16] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t link_local[16] = { 0xfe, 0x80, [15] = 1 };
	struct sockaddr_in sin;
	char buf[64];

	(void)state;
	assert_string_equal(addr6(loopback), "::1");
	assert_string_equal(addr6(any), "::");
	assert_string_equal(addr6(doc), "2001:db8::1");
	assert_string_equal(addr6(tie), "2001:db8::1:0:0:1");
	assert_string_equal(addr6(one), "2001:db8:0:1:1:1:1:1");
	assert_string_equal(addr6(trailing), "fe80::");
	assert_string_equal(addr6(mapped), "::ffff:192.0.2.1");
	assert_string_equal(addr6(mapped_zero), "::ffff:0.0.0.0");
	sin6_scope = 2;
	assert_string_equal(addr6(link_local), "fe80::1%2");
	sin6_scope = 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0xc0000201);
	fmt_addr((struct sockaddr *)&sin, buf, sizeof(buf));
	assert_string_equal(buf, "192.0.2.1");
}

/* ---- the command line ---- */

static void
test_parse_seconds(void **state)
{
	int64_t ns;

	(void)state;
	assert_int_equal(parse_seconds("1", &ns), 0);
	assert_int_equal(ns, 1000000000);
	assert_int_equal(parse_seconds("0.25", &ns), 0);
	assert_int_equal(ns, 250000000);
	assert_int_equal(parse_seconds("2.000000001", &ns), 0);
	assert_int_equal(ns, 2000000001);
	assert_int_equal(parse_seconds("0", &ns), 0);
	assert_int_equal(ns, 0);
	assert_int_equal(parse_seconds("31536000", &ns), 0);
	assert_int_equal(parse_seconds("31536001", &ns), -1);
	/* As strtod: ".5" and "1." are numbers, "." is not. */
	assert_int_equal(parse_seconds(".5", &ns), 0);
	assert_int_equal(ns, 500000000);
	assert_int_equal(parse_seconds("1.", &ns), 0);
	assert_int_equal(ns, 1000000000);
	assert_int_equal(parse_seconds(".", &ns), -1);
	assert_int_equal(parse_seconds("..5", &ns), -1);
	assert_int_equal(parse_seconds("1s", &ns), -1);
	assert_int_equal(parse_seconds("", &ns), -1);
	assert_int_equal(parse_seconds("-1", &ns), -1);
}

static ntp_dur
max_step_of(const char *arg)
{
	char *argv[] = { "ntpsync", "-m", NULL, "192.0.2.1", NULL };
	char err[128];
	struct options o;

	argv[2] = (char *)arg;
	assert_int_equal(options_parse(4, argv, &o, err, sizeof(err)),
	    OPTIONS_RUN);
	return o.max_step;
}

/* -m 0 is "no limit"; a limit too small for 32.32 is the smallest one. */
static void
test_m_below_the_resolution_is_still_a_limit(void **state)
{
	(void)state;
	assert_int_equal(max_step_of("0"), 0);
	assert_int_equal(max_step_of("0.000"), 0);
	assert_int_equal(max_step_of("0.0000000001"), 1);
	assert_int_equal(max_step_of("1000"), NTP_DUR_SEC(1000));
	assert_true(max_step_of("0.000000001") > 0);
}

static void
test_a_k_e_are_ntpdates(void **state)
{
	char *argv[] = { "ntpsync", "-a", "65536", "-k", "/tmp/keys", "-e",
	    "0.000323", "192.0.2.1", NULL };
	char *plain[] = { "ntpsync", "192.0.2.1", NULL };
	char *bad_id[] = { "ntpsync", "-a", "4294967296", "192.0.2.1", NULL };
	char *bad_e[] = { "ntpsync", "-e", "soon", "192.0.2.1", NULL };
	char err[128];
	struct options o;

	(void)state;
	assert_int_equal(options_parse(8, argv, &o, err, sizeof(err)),
	    OPTIONS_RUN);
	assert_int_equal(o.key_id, 65536);
	assert_string_equal(o.key_file, "/tmp/keys");
	assert_int_equal(options_parse(2, plain, &o, err, sizeof(err)),
	    OPTIONS_RUN);
	assert_int_equal(o.key_id, 0);
	assert_string_equal(o.key_file, KEY_FILE_DEFAULT);
	assert_int_equal(options_parse(4, bad_id, &o, err, sizeof(err)),
	    OPTIONS_ERROR);
	assert_int_equal(options_parse(4, bad_e, &o, err, sizeof(err)),
	    OPTIONS_ERROR);
}

/* main() exits; run it in a child and return the exit status. */
static int
run_main(int argc, char **argv)
{
	pid_t pid = fork();
	int status;

	assert_true(pid != -1);
	if (pid == 0) {
		if (freopen("/dev/null", "w", stderr) == NULL ||
		    freopen("/dev/null", "w", stdout) == NULL)
			_exit(99);
		_exit(ntpsync_main(argc, argv));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
test_usage_errors_exit_2(void **state)
{
	char *none[] = { "ntpsync", NULL };
	char *samples[] = { "ntpsync", "-p", "9", "192.0.2.1", NULL };
	char *zero[] = { "ntpsync", "-p", "0", "192.0.2.1", NULL };
	char *version[] = { "ntpsync", "-o", "5", "192.0.2.1", NULL };
	char *timeout[] = { "ntpsync", "-t", "soon", "192.0.2.1", NULL };
	char *unknown[] = { "ntpsync", "-x", "192.0.2.1", NULL };
	char *t0[] = { "ntpsync", "-t", "0", "192.0.2.1", NULL };
	char *jd[] = { "ntpsync", "-j", "-d", "192.0.2.1", NULL };
	char *wait[] = { "ntpsync", "-W", "-1", "192.0.2.1", NULL };
	char *save_alone[] = { "ntpsync", "-S", NULL };
	char *save_server[] = { "ntpsync", "-F", "/nonexistent/f", "-S",
	    "192.0.2.1", NULL };
	char *floor_arg[] = { "ntpsync", "-F", NULL };

	(void)state;
	assert_int_equal(run_main(1, none), EXIT_USAGE);
	assert_int_equal(run_main(4, samples), EXIT_USAGE);
	assert_int_equal(run_main(4, zero), EXIT_USAGE);
	assert_int_equal(run_main(4, version), EXIT_USAGE);
	assert_int_equal(run_main(4, timeout), EXIT_USAGE);
	assert_int_equal(run_main(3, unknown), EXIT_USAGE);
	assert_int_equal(run_main(4, t0), EXIT_USAGE);
	assert_int_equal(run_main(4, jd), EXIT_USAGE);
	assert_int_equal(run_main(4, wait), EXIT_USAGE);
	assert_int_equal(run_main(2, save_alone), EXIT_USAGE);
	assert_int_equal(run_main(5, save_server), EXIT_USAGE);
	assert_int_equal(run_main(2, floor_arg), EXIT_USAGE);
}

/*
 * -F alone restores: no file yet is nothing to do, a damaged one is an
 * error (exit 13); -q says what would be done without a clock call.
 */
static void
test_floor_alone_restores_only(void **state)
{
	char path[] = "/tmp/ntpsync-test-floor-XXXXXX";
	char *restore[] = { "ntpsync", "-q", "-F", path, NULL };
	char *missing[] = { "ntpsync", "-q", "-F", "/nonexistent/floor", NULL };
	static const char damaged[] = "1795600800 2026-11-25T10:00:01Z\n";
	char line[FLOOR_LINE_MAX];
	size_t len = floor_format(FLOOR_T, "", line, sizeof(line));
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, line, len), (ssize_t)len);
	close(fd);
	assert_int_equal(run_main(4, restore), EXIT_SYNCED);
	assert_int_equal(run_main(4, missing), EXIT_SYNCED);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, damaged, sizeof(damaged) - 1),
	    sizeof(damaged) - 1);
	close(fd);
	assert_int_equal(run_main(4, restore), EXIT_FLOOR);
	unlink(path);
}

/* A key that cannot be used ends the run before anything is sent. */
static void
test_unusable_key_exits_2(void **state)
{
	char path[] = "/tmp/ntpsync-test-keys-XXXXXX";
	char *missing[] = { "ntpsync", "-q", "-a", "1", "-k",
	    "/nonexistent/ntp.keys", "192.0.2.1", NULL };
	char *unknown[] = { "ntpsync", "-q", "-a", "7", "-k", path,
	    "192.0.2.1", NULL };
	char *zero[] = { "ntpsync", "-q", "-a", "0", "-k", path, "192.0.2.1",
	    NULL };
	static const char keys[] = "1 MD5 secret1\n";
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, keys, sizeof(keys) - 1), sizeof(keys) - 1);
	close(fd);
	assert_int_equal(run_main(7, missing), EXIT_USAGE);
	assert_int_equal(run_main(7, unknown), EXIT_USAGE);
	assert_int_equal(run_main(7, zero), EXIT_USAGE);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_threshold_is_half_a_second, setup),
		cmocka_unit_test_setup(test_b_and_B_force_the_mode, setup),
		cmocka_unit_test_setup(test_step_adds_offset_to_now, setup),
		cmocka_unit_test_setup(test_step_backwards, setup),
		cmocka_unit_test_setup(test_step_from_1970_by_56_years, setup),
		cmocka_unit_test_setup(test_slew_by_exactly_the_offset, setup),
		cmocka_unit_test_setup(test_slew_negative_offset_is_normalized,
		    setup),
		cmocka_unit_test_setup(test_slew_rounds_to_the_nearest_microsecond,
		    setup),
		cmocka_unit_test_setup(test_slew_carries_into_seconds, setup),
		cmocka_unit_test_setup(test_failed_step_is_an_error, setup),
		cmocka_unit_test_setup(test_failed_slew_is_an_error, setup),
		cmocka_unit_test_setup(test_huge_slew_is_refused_without_a_call,
		    setup),
		cmocka_unit_test_setup(
		    test_step_beyond_limit_is_refused_without_a_call, setup),
		cmocka_unit_test_setup(test_step_at_the_limit_is_made, setup),
		cmocka_unit_test_setup(test_b_and_m0_lift_the_limit, setup),
		cmocka_unit_test_setup(test_unset_clock_steps_beyond_the_limit,
		    setup),
		cmocka_unit_test_setup(test_board_at_1970_steps_to_2040, setup),
		cmocka_unit_test_setup(test_set_clock_is_not_shifted_after_the_build_date, setup),
		cmocka_unit_test_setup(
		    test_rtc_is_set_to_the_next_whole_second_in_utc, setup),
		cmocka_unit_test_setup(test_rtc_failures_are_errors, setup),
		cmocka_unit_test_setup(test_second_run_finds_the_lock_taken,
		    setup),
		cmocka_unit_test_setup(test_lock_file_that_cannot_be_opened,
		    setup),
		cmocka_unit_test_setup(
		    test_kiss_of_death_from_every_server_means_exit_6, setup),
		cmocka_unit_test_setup(test_query_and_debug_never_touch_the_clock,
		    setup),
		cmocka_unit_test_setup(test_no_reply_means_exit_4_and_no_clock_call,
		    setup),
		cmocka_unit_test_setup(
		    test_rejected_replies_mean_exit_1_and_no_clock_call, setup),
		cmocka_unit_test_setup(test_lowest_delay_sample_of_a_server_is_used,
		    setup),
		cmocka_unit_test_setup(test_liar_outvoted_by_two_good_servers,
		    setup),
		cmocka_unit_test_setup(test_two_disagreeing_servers_change_nothing,
		    setup),
		cmocka_unit_test_setup(test_silent_server_does_not_make_a_majority,
		    setup),
		cmocka_unit_test_setup(
		    test_samples_are_collected_then_the_server_is_done, setup),
		cmocka_unit_test_setup(
		    test_forgery_and_duplicate_do_not_end_the_exchange, setup),
		cmocka_unit_test_setup(test_keyed_request_carries_key_id_and_mac,
		    setup),
		cmocka_unit_test_setup(
		    test_bad_mac_is_not_used_and_the_real_reply_still_is, setup),
		cmocka_unit_test_setup(test_crypto_nak_ends_the_server, setup),
		cmocka_unit_test_setup(test_authentication_reasons_in_words,
		    setup),
		cmocka_unit_test_setup(test_kod_rate_keeps_the_samples_that_arrived,
		    setup),
		cmocka_unit_test_setup(test_kod_deny_drops_the_server, setup),
		cmocka_unit_test_setup(test_slow_sample_is_dropped_not_the_server,
		    setup),
		cmocka_unit_test_setup(test_stratum_16_ends_the_server_at_once,
		    setup),
		cmocka_unit_test_setup(test_init_is_not_synchronized_yet_not_a_kiss,
		    setup),
		cmocka_unit_test_setup(test_unsynchronized_and_kiss_codes_in_words,
		    setup),
		cmocka_unit_test_setup(test_unanswered_requests_back_off_exponentially,
		    setup),
		cmocka_unit_test_setup(test_silence_after_an_answer_ends_the_asking,
		    setup),
		cmocka_unit_test_setup(test_silence_after_a_sample_keeps_it, setup),
		cmocka_unit_test_setup(test_no_round_begins_after_the_wait, setup),
		cmocka_unit_test_setup(test_every_name_gets_its_share_of_the_table,
		    setup),
		cmocka_unit_test_setup(test_a_name_left_keeps_its_share, setup),
		cmocka_unit_test_setup(test_names_resolve_in_children, setup),
		cmocka_unit_test_setup(
		    test_a_flood_does_not_hold_the_receive_past_the_deadline,
		    setup),
		cmocka_unit_test_setup(test_a_flood_is_read_in_batches, setup),
		cmocka_unit_test_setup(
		    test_a_reply_longer_than_the_buffer_keeps_its_length, setup),
#ifdef WRAP_RECVMSG
		cmocka_unit_test_setup(
		    test_the_receive_timestamp_fits_in_32_bit_musl_layouts, setup),
		cmocka_unit_test_setup(test_t4_says_when_it_falls_back_to_the_clock,
		    setup),
#endif
		cmocka_unit_test_setup(test_fmt_integers, setup),
		cmocka_unit_test_setup(test_fmt_fixed_point_decimals, setup),
		cmocka_unit_test_setup(test_fmt_no_negative_zero, setup),
		cmocka_unit_test_setup(test_fmt_truncates_safely, setup),
		cmocka_unit_test_setup(test_addresses_as_inet_ntop_writes_them,
		    setup),
		cmocka_unit_test_setup(test_parse_seconds, setup),
		cmocka_unit_test_setup(test_m_below_the_resolution_is_still_a_limit,
		    setup),
		cmocka_unit_test_setup(test_usage_errors_exit_2, setup),
		cmocka_unit_test_setup(test_floor_alone_restores_only, setup),
		cmocka_unit_test_setup(test_floor_line_is_seconds_and_their_date,
		    setup),
		cmocka_unit_test_setup(test_damaged_floor_is_refused, setup),
		cmocka_unit_test_setup(test_future_floor_is_not_trusted, setup),
		cmocka_unit_test_setup(test_floor_file_round_trip, setup),
		cmocka_unit_test_setup(test_clock_is_raised_to_the_floor_never_back,
		    setup),
		cmocka_unit_test_setup(
		    test_floor_later_than_the_build_date_is_the_lower_bound,
		    setup),
		cmocka_unit_test_setup(
		    test_clock_raised_to_the_floor_steps_beyond_the_limit, setup),
		cmocka_unit_test_setup(
		    test_fresh_boot_is_no_floor_or_another_boots, setup),
		cmocka_unit_test_setup(
		    test_clock_not_synced_since_boot_steps_beyond_the_limit,
		    setup),
		cmocka_unit_test_setup(
		    test_time_before_the_floor_is_refused_without_b, setup),
		cmocka_unit_test_setup(test_unusable_key_exits_2, setup),
		cmocka_unit_test_setup(test_a_k_e_are_ntpdates, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtc.h - the kernel's RTC_SET_TIME, where the libc ships no kernel headers. */
#ifndef NTPSYNC_RTC_H
#define NTPSYNC_RTC_H

#include <sys/ioctl.h>

#if __has_include(<linux/rtc.h>)
#include <linux/rtc.h>
#else
/* Debian's musl-dev ships no kernel headers; this is the kernel's ABI. */
struct rtc_time {
	int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year;
	/* cppcheck-suppress unusedStructMember ; the kernel's layout */
	int tm_wday, tm_yday, tm_isdst;
};
#define RTC_SET_TIME		_IOW('p', 0x0a, struct rtc_time)
#endif

#endif /* NTPSYNC_RTC_H */

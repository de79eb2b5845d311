/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ntpsync.h - the decision of ntpsync.c, for its unit tests, and the exit
 * codes (the README and ntpsync.8 list them).
 */
#ifndef NTPSYNC_H
#define NTPSYNC_H

#include <stddef.h>

#include "clock.h"
#include "exchange.h"
#include "floor.h"
#include "options.h"
#include "report.h"

#define EXIT_SYNCED		0
#define EXIT_NO_SUITABLE	1
#define EXIT_USAGE		2
#define EXIT_DNS		3
#define EXIT_NO_REPLY		4
#define EXIT_CLOCK		5
#define EXIT_KOD		6
#define EXIT_LOCKED		7
#define EXIT_RTC		8
#define EXIT_STEP_LIMIT		9
#define EXIT_OUTPUT		10	/* -q, -d: the result could not be written */
#define EXIT_NO_MAJORITY	11	/* the servers disagree: none chosen */
#define EXIT_NTS_KE		12	/* -N: NTS-KE failed with every server */
#define EXIT_FLOOR		13	/* -F: the file cannot be read or written */
#define EXIT_ROLLBACK		14	/* -F: the servers' time is before it */

/* What the decision needs to know of a run. */
struct run {
	const struct options	*opt;
	struct report		*rep;
	struct clock_policy	 policy;
	char			 boot_id[FLOOR_BOOT_ID_LEN];	/* -F: this boot's */
	char			 floor_id[FLOOR_BOOT_ID_LEN];	/* the floor's */
};

int	take_lock(const struct options *o);
int	write_rtc(const char *device);
int	apply(const struct run *run, const struct ntp_server *s,
	    const struct ntp_sample *best, struct outcome *oc);
int	failure_code(const struct ntp_result *res, size_t n);
int	conclude(const struct run *run, const struct ntp_server *s,
	    const struct ntp_result *res, size_t n, struct outcome *oc);

#endif /* NTPSYNC_H */

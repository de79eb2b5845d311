/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report.h - what a run says: the -d dump of every packet, each server's
 * figures or the reason it gave nothing, the clock's outcome and the -j
 * object.  Lines go through output.h, which decides who sees them.
 */
#ifndef NTPSYNC_REPORT_H
#define NTPSYNC_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "clock.h"
#include "exchange.h"
#include "ntp_packet.h"

#define MAX_LOGGED_REPLIES	16	/* replies per address kept for -j */

/* A reply as -j reports it. */
struct reply_log {
	struct ntp_packet	pkt;
	struct ntp_sample	s;
	enum ntp_verdict	v;
	size_t			len;
	int			truncated;
	enum xchg_t4		t4_source;
};

struct report {
	const char		*version;	/* ntpsync's */
	int64_t			 shift;		/* of an unset clock, s */
	int64_t			 timeout_ns;	/* -t */
	uint32_t		 key_id;	/* -a: 0 for none */
	const char		*mac;		/* -a: the key's MAC type */
	int			 nts;		/* -N */
	const char		*floor_file;	/* -F: NULL for none */
	int64_t			 floor;		/* -F: the time used, 0 for none */
	int			 floor_stepped;	/* the clock was stepped to it */
	int64_t			 floor_saved;	/* the time saved, 0 for none */
	int			 nreplies[MAX_PEERS];
	struct reply_log	 reply[MAX_PEERS][MAX_LOGGED_REPLIES];
};

/* How a run ended. */
struct outcome {
	const struct ntp_server	*chosen;	/* NULL: none */
	const struct ntp_sample	*sample;	/* the chosen one's best */
	const char		*action;	/* "none", "step", "slew" */
	int			 code;		/* exit code */
	const char		*reason;	/* why the run failed, or NULL */
	int			 no_majority;	/* the candidates disagree */
	size_t			 candidates;	/* servers that gave a sample */
	int64_t			 server_time;	/* the chosen one's, s since 1970 */
	int			 falseticker[MAX_PEERS];
};

void	report_init(struct report *r, const char *version, int64_t shift,
	    int64_t timeout_ns);
void	report_event(void *ctx, const struct xchg_event *e);
const char *report_failure_reason(const struct report *r,
	    const struct ntp_result *res, char *buf, size_t len);
void	report_unresolved(const struct xchg_host *hosts, size_t n);
void	report_server(const struct report *r, const struct ntp_server *s,
	    const struct ntp_sample *best);
void	report_dropped(const struct report *r, const struct ntp_server *s,
	    const struct ntp_result *res, int failed_run);
void	report_falseticker(const struct report *r, const struct ntp_server *s,
	    const struct ntp_sample *best);
const char *report_no_majority_reason(const struct report *r,
	    const struct ntp_sample *best, size_t candidates, char *buf,
	    size_t len);
void	report_no_majority(const struct report *r, const struct ntp_server *s,
	    const struct ntp_sample *best, size_t candidates);
void	report_clock(const struct report *r, const struct ntp_server *s,
	    ntp_dur offset, ntp_dur max_step, enum clock_status st, int error);
void	report_rtc(const char *device, const struct tm *set, int error);
/* -F: what became of the time floor, or under -q and -d what would. */
enum floor_event {
	FLOOR_NONE_YET,		/* no file yet: nothing to restore */
	FLOOR_IGNORED,		/* damaged, future-dated or unreadable */
	FLOOR_UNUSABLE,		/* the same, when restoring is the whole job */
	FLOOR_FRESH_BOOT,	/* none or older than this boot: no -m */
	FLOOR_REACHED,		/* the clock is already past it */
	FLOOR_RAISED,		/* the clock was stepped forward to it */
	FLOOR_RAISE_PLANNED,	/* -q, -d */
	FLOOR_RAISE_FAILED,
	FLOOR_ROLLBACK,		/* the servers' time is before it */
	FLOOR_SAVED,
	FLOOR_SAVE_PLANNED,	/* -q, -d */
	FLOOR_SAVE_FAILED,
	FLOOR_SAVE_REFUSED	/* -S: the clock reads before the lower bound */
};
void	report_floor(struct report *r, enum floor_event ev, int64_t sec,
	    int64_t other, const char *why, int error);
void	report_waiting(const struct report *r, const struct ntp_server *s,
	    const struct ntp_result *res, size_t n, size_t names_left,
	    int64_t backoff, int64_t left);
#ifdef NTPSYNC_NTS
struct nts_ke_outcome;
void	report_nts_start(const char *host, const struct sockaddr *ke,
	    time_t verify_time, const struct clock_policy *p);
const char *report_nts_failure(const struct nts_ke_outcome *ke, char *buf,
	    size_t len);
void	report_nts_ke(const struct ntp_server *s,
	    const struct nts_ke_outcome *ke, const char *failure);
#endif
void	report_json(const struct report *r, const struct xchg_host *hosts,
	    size_t nhosts, const struct ntp_server *s,
	    const struct ntp_result *res, size_t n, const struct outcome *o);

#endif /* NTPSYNC_REPORT_H */

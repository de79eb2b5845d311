/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * output.h - where each line goes.  Every line ntpsync prints belongs to a
 * class; out_init() takes the options that matter (-d, -v, -q, -j, -s) and
 * the table in output.c alone decides who sees which class, on stdout,
 * stderr or syslog.  Every line is out, in order, before the next one.
 */
#ifndef NTPSYNC_OUTPUT_H
#define NTPSYNC_OUTPUT_H

#include <stddef.h>

/* The options that decide what is shown, as bits for out_init(). */
#define OUT_M_DEBUG	0x01	/* -d */
#define OUT_M_VERBOSE	0x02	/* -v */
#define OUT_M_QUERY	0x04	/* -q */
#define OUT_M_JSON	0x08	/* -j */
#define OUT_M_SYSLOG	0x10	/* -s */

enum out_class {
	/* Log lines: ntpdate's date prefix, or syslog under -s. */
	OUT_ERROR,	/* a failure */
	OUT_WARNING,	/* something ignored */
	OUT_RESULT,	/* what was done to the clock, or would be */
	OUT_INFO,	/* what ntpsync does and why (-v, -d) */
	OUT_BANNER,	/* the version (-v) */
	/* Plain text, as it is. */
	OUT_DEBUG,	/* the exchange packet by packet (-d) */
	OUT_SERVER,	/* each usable server's figures (-q, -d) */
	OUT_DETAIL,	/* each server that gave nothing, and why (-q, -d, -v) */
	OUT_DROPPED,	/* the same for a failed run without -q, -d, -v */
	OUT_PROGRESS,	/* -W: what we wait for (-v, -d) */
	OUT_RETRY,	/* -W: why the last round gave nothing (-v, -d) */
	OUT_JSON,	/* -j: the object */
	OUT_HELP,	/* -h, -V */
	OUT_USAGE,	/* a bad command line */
	OUT_CLASS_COUNT
};

void	out_init(unsigned modes);
int	out_wants(enum out_class c);
void	out(enum out_class c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	out_write(enum out_class c, const char *s, size_t len);
int	out_finish(void);

#endif /* NTPSYNC_OUTPUT_H */

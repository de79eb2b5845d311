/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options.h - ntpdate's command line, parsed into a struct; nothing here
 * prints or exits.
 */
#ifndef NTPSYNC_OPTIONS_H
#define NTPSYNC_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "exchange.h"
#include "ntp_packet.h"

#define SAMPLES_MIN		1
#define SAMPLES_DEFAULT		4
#define SECONDS_ARG_MAX		31536000	/* a year, for any seconds option */
#define LOCK_FILE_DEFAULT	"/run/ntpsync.lock"
#define RTC_DEVICE		"/dev/rtc0"
/* ntpd's panic threshold: a larger step needs -b or -m. */
#define MAX_STEP_DEFAULT	NTP_DUR_SEC(1000)
/* ntpdate's key file when -a comes without -k. */
#define KEY_FILE_DEFAULT	"/etc/ntp.keys"
/* -N's trust anchors without -c: Debian's and Buildroot's CA bundle. */
#define CA_FILE_DEFAULT		"/etc/ssl/certs/ca-certificates.crt"

struct options {
	int		 family;	/* -4, -6 */
	enum clock_adjust adjust;	/* -b, -B */
	int		 debug;		/* -d */
	int		 json;		/* -j */
	int		 query;		/* -q */
	int		 use_syslog;	/* -s */
	int		 verbose;	/* -v */
	int		 write_rtc;	/* -w */
	int		 samples;	/* -p */
	int		 version;	/* -o */
	int64_t		 timeout_ns;	/* -t */
	int64_t		 wait_ns;	/* -W: 0 fails at once */
	int64_t		 jitter_ns;	/* -R */
	ntp_dur		 max_step;	/* -m: 0 means no limit */
	const char	*lock_file;	/* -l */
	int		 lock_required;	/* -l given: no running without it */
	const char	*rtc_device;
	uint32_t	 key_id;	/* -a: 0 for no authentication */
	const char	*key_file;	/* -k */
	int		 nts;		/* -N */
	const char	*ca_file;	/* -c */
	const char	*cookie_jar;	/* -C: NULL for none */
	const char	*floor_file;	/* -F: NULL for none */
	int		 save_floor;	/* -S: save the clock to -F, no sync */
	char *const	*servers;
	int		 nservers;
};

enum options_result { OPTIONS_RUN, OPTIONS_HELP, OPTIONS_VERSION,
    OPTIONS_ERROR };

void	options_defaults(struct options *o);
enum options_result options_parse(int argc, char *const *argv,
	    struct options *o, char *err, size_t errlen);
int	parse_seconds(const char *s, int64_t *ns);
extern const char options_usage[];

#endif /* NTPSYNC_OPTIONS_H */

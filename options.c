/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options.c - the command line: ntpdate's options and ntpsync's own, each
 * checked here, with the reason for a bad one in words.
 */
#include <sys/socket.h>

#include <getopt.h>
#include <string.h>

#include "exchange.h"
#include "fmt.h"
#include "options.h"

#define TIMEOUT_DEFAULT_NS	((int64_t)NSEC_PER_SEC)	/* a server's time in all */

const char options_usage[] =
    "usage: ntpsync [-46bBdjNqsuvVw] [-a keyid] [-C cookiejar] [-c cafile] "
    "[-e authdelay]\n"
    "               [-F floorfile] [-k keyfile] [-l lockfile] [-m maxstep] "
    "[-o version]\n"
    "               [-p samples] [-R jitter] [-t timeout] [-W wait] "
    "server ...\n"
    "       ntpsync [-dq] -F floorfile [-S]\n";

void
options_defaults(struct options *o)
{
	*o = (struct options){
		.family = AF_UNSPEC,
		.adjust = ADJUST_AUTO,
		.samples = SAMPLES_DEFAULT,
		.version = NTP_VERSION,
		.timeout_ns = TIMEOUT_DEFAULT_NS,
		.max_step = MAX_STEP_DEFAULT,
		.lock_file = LOCK_FILE_DEFAULT,
		.rtc_device = RTC_DEVICE,
		.key_file = KEY_FILE_DEFAULT,
		.ca_file = CA_FILE_DEFAULT,
	};
}

/* A key id, 1 to 2^32 - 1 (chrony's range; ntpd's ends at 65535). */
static int
parse_key_id(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (uint64_t)(*s - '0')) > UINT32_MAX)
			return -1;
	if (*s != '\0' || v == 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* A small decimal number; strtol would bring in 1.5 KB for this. */
static int
parse_int(const char *s, int min, int max, int *out)
{
	int v = 0;

	if (*s == '\0')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (*s - '0')) > max)
			return -1;
	if (*s != '\0' || v < min)
		return -1;
	*out = v;
	return 0;
}

/*
 * Seconds with an optional fraction ("0.25", ".5", "1."), as strtod reads
 * them, without pulling it in.
 */
int
parse_seconds(const char *s, int64_t *ns)
{
	int64_t sec = 0, frac = 0, scale = NSEC_PER_SEC;

	if (*s == '\0' || (s[0] == '.' && (s[1] < '0' || s[1] > '9')))
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		sec = sec * 10 + (*s - '0');
		if (sec > SECONDS_ARG_MAX)
			return -1;
	}
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			if (scale >= 10) {
				scale /= 10;
				frac += (*s - '0') * scale;
			}
	if (*s != '\0')
		return -1;
	*ns = sec * NSEC_PER_SEC + frac;
	return 0;
}

/*
 * Fills o from argv; on OPTIONS_ERROR err says why, in one line.  -h and
 * -V end the parsing where they stand, as they did in ntpdate.
 */
enum options_result
options_parse(int argc, char *const *argv, struct options *o, char *err,
    size_t errlen)
{
	int64_t ns;
	int ch, h, ca = 0;

	options_defaults(o);
	optind = 0;	/* a full restart, for glibc and musl alike */
	opterr = 0;	/* one error line, ours */
	while ((ch = getopt(argc, argv, ":46a:bBC:c:de:F:hjk:l:m:No:p:qR:sSt:uvVwW:")) != -1) {
		switch (ch) {
		case '4':
			o->family = AF_INET;
			break;
		case '6':
			o->family = AF_INET6;
			break;
		case 'a':
			if (parse_key_id(optarg, &o->key_id) == -1) {
				str_fmt(err, errlen, "-a %s: the key id must be 1 to "
				    "%u", optarg, (unsigned)UINT32_MAX);
				return OPTIONS_ERROR;
			}
			break;
		case 'b':
			o->adjust = ADJUST_STEP;
			break;
		case 'B':
			o->adjust = ADJUST_SLEW;
			break;
		case 'C':
			o->cookie_jar = optarg;
			break;
		case 'c':
			o->ca_file = optarg;
			ca = 1;
			break;
		case 'd':
			o->debug = 1;
			break;
		case 'e':
			/*
			 * ntpdate's authentication delay: it moved T1 back by
			 * the time a MAC took on a slow machine.  Ours is taken
			 * after the MAC is computed: accepted, then ignored.
			 */
			if (parse_seconds(optarg, &ns) == -1) {
				str_fmt(err, errlen, "-e %s: the authentication "
				    "delay must be seconds (it is ignored)", optarg);
				return OPTIONS_ERROR;
			}
			break;
		case 'F':
			o->floor_file = optarg;
			break;
		case 'h':
			return OPTIONS_HELP;
		case 'j':
			o->json = 1;
			break;
		case 'k':
			o->key_file = optarg;
			break;
		case 'l':
			o->lock_file = optarg;
			o->lock_required = 1;
			break;
		case 'm':
			if (parse_seconds(optarg, &ns) == -1) {
				str_fmt(err, errlen, "-m %s: the largest step must "
				    "be seconds, 0 for no limit", optarg);
				return OPTIONS_ERROR;
			}
			o->max_step = NTP_DUR_SEC(ns / NSEC_PER_SEC) +
			    NTP_DUR_SEC(ns % NSEC_PER_SEC) / NSEC_PER_SEC;
			/* Only 0 means no limit: a tiny limit is the smallest one. */
			if (o->max_step == 0 && optarg[strspn(optarg, "0.")] != '\0')
				o->max_step = 1;
			break;
		case 'N':
			o->nts = 1;
			break;
		case 'o':
			if (parse_int(optarg, NTP_VERSION_MIN, NTP_VERSION_MAX,
			    &o->version) == -1) {
				str_fmt(err, errlen, "-o %s: the NTP version must "
				    "be %d to %d", optarg, NTP_VERSION_MIN,
				    NTP_VERSION_MAX);
				return OPTIONS_ERROR;
			}
			break;
		case 'p':
			if (parse_int(optarg, SAMPLES_MIN, SAMPLES_MAX,
			    &o->samples) == -1) {
				str_fmt(err, errlen, "-p %s: samples must be %d to "
				    "%d", optarg, SAMPLES_MIN, SAMPLES_MAX);
				return OPTIONS_ERROR;
			}
			break;
		case 'q':
			o->query = 1;
			break;
		case 'R':
			if (parse_seconds(optarg, &o->jitter_ns) == -1) {
				str_fmt(err, errlen, "-R %s: the start delay must "
				    "be seconds, such as 30", optarg);
				return OPTIONS_ERROR;
			}
			break;
		case 's':
			o->use_syslog = 1;
			break;
		case 'S':
			o->save_floor = 1;
			break;
		case 't':
			if (parse_seconds(optarg, &o->timeout_ns) == -1 ||
			    o->timeout_ns == 0) {
				str_fmt(err, errlen, "-t %s: the timeout must be "
				    "seconds above 0, such as 1 or 0.5", optarg);
				return OPTIONS_ERROR;
			}
			break;
		case 'u':
			/* Requests always leave from a random unprivileged port. */
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'V':
			return OPTIONS_VERSION;
		case 'w':
			o->write_rtc = 1;
			break;
		case 'W':
			if (parse_seconds(optarg, &o->wait_ns) == -1) {
				str_fmt(err, errlen, "-W %s: the wait must be "
				    "seconds, such as 60", optarg);
				return OPTIONS_ERROR;
			}
			break;
		case ':':
			str_fmt(err, errlen, "-%c needs an argument", optopt);
			return OPTIONS_ERROR;
		default:
			str_fmt(err, errlen, "-%c: unknown option", optopt);
			return OPTIONS_ERROR;
		}
	}
	o->servers = argv + optind;
	o->nservers = argc - optind;
	if (o->save_floor && o->floor_file == NULL) {
		str_fmt(err, errlen, "-S saves the time to the -F file: it needs "
		    "-F");
		return OPTIONS_ERROR;
	}
	if (o->save_floor && o->nservers > 0) {
		str_fmt(err, errlen, "-S saves the clock's time and ends: it "
		    "takes no server");
		return OPTIONS_ERROR;
	}
	/* -F alone restores the floor (an early init script); -F -S saves. */
	if (o->nservers == 0 && o->floor_file == NULL) {
		str_fmt(err, errlen, "no server given");
		return OPTIONS_ERROR;
	}
	if (o->nservers > MAX_HOSTS) {
		str_fmt(err, errlen, "at most %d servers", MAX_HOSTS);
		return OPTIONS_ERROR;
	}
	/* getopt stops at the first server: "ntpsync host -q" must not sync. */
	for (h = 0; h < o->nservers; h++)
		if (o->servers[h][0] == '-') {
			str_fmt(err, errlen, "%s: options go before the servers",
			    o->servers[h]);
			return OPTIONS_ERROR;
		}
	if (o->nts && o->key_id != 0) {
		str_fmt(err, errlen, "-N and -a cannot be combined: NTS brings "
		    "its own keys");
		return OPTIONS_ERROR;
	}
	if (!o->nts && (ca || o->cookie_jar != NULL)) {
		str_fmt(err, errlen, "-%c is for NTS: it needs -N",
		    ca ? 'c' : 'C');
		return OPTIONS_ERROR;
	}
	if (o->json && o->debug) {
		str_fmt(err, errlen, "-j and -d cannot be combined: both write "
		    "to stdout");
		return OPTIONS_ERROR;
	}
	return OPTIONS_RUN;
}

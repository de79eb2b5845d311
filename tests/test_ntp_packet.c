/*
 * Unit tests of ntp_packet.c: the wire format, reply validation, the
 * timestamp conversions and the on-wire arithmetic.  Every expected value
 * is a literal worked out by hand (python3 big integers for the long
 * ones); the comment next to it shows the arithmetic.  Timestamps and
 * durations are NTP 32.32 fixed point: 0xSSSSSSSS_FFFFFFFF is written as
 * seconds "_" fraction, one unit of the fraction is 2^-32 s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ntp_packet.h"

/* Our random transmit timestamp (the nonce), which the server echoes. */
#define XMT		UINT64_C(0x5EED5EEDC0FFEE42)

/*
 * One exchange with a LAN server, 2026-11-25T03:32:10.25Z on our clock:
 *   T2 = T1 + 10.5 s          = T1 + 0x0000000A_80000000
 *   T3 = T2 + 1 ms (floor)    = T2 + 0x00418937   (0.001 * 2^32 = 4294967.296)
 *   T4 = T1 + 3 ms (floor)    = T1 + 0x00C49BA5   (0.003 * 2^32 = 12884901.888)
 * 0xEEB0D53A = 4004566330 = 1795577530 (Unix 2026-11-25T03:32:10Z) + 2208988800.
 */
#define T1		UINT64_C(0xEEB0D53A40000000)
#define T2		UINT64_C(0xEEB0D544C0000000)
#define T3		UINT64_C(0xEEB0D544C0418937)
#define T4		UINT64_C(0xEEB0D53A40C49BA5)

/* Server precision 2^-20 s = 2^(32-20) = 4096 units. */
#define PRECISION	(-20)
#define PRECISION_UNITS	4096

/* Short format 16.16: 0x0100 = 256 / 65536 s = 3.9 ms; 0x0200 = 7.8 ms. */
#define ROOT_DELAY	0x00000100u
#define ROOT_DISP	0x00000200u

#define UNIX_0_NTP	UINT64_C(0x83AA7E8000000000)	/* 2208988800 s */

/* A valid reply of a stratum 2 server to the exchange above. */
static struct ntp_packet
reply(void)
{
	struct ntp_packet p;

	memset(&p, 0, sizeof(p));
	p.leap = NTP_LI_NOWARNING;
	p.version = NTP_VERSION;
	p.mode = NTP_MODE_SERVER;
	p.stratum = 2;
	p.poll = 6;
	p.precision = PRECISION;
	p.root_delay = ROOT_DELAY;
	p.root_disp = ROOT_DISP;
	p.refid = NTP_KISS(192, 168, 0, 1);
	p.ref = T1 - NTP_DUR_SEC(64);
	p.org = XMT;
	p.rx = T2;
	p.tx = T3;
	return p;
}

/* The verdict on p as the answer to our request XMT sent at T1, read at T4. */
static enum ntp_verdict
verdict(const struct ntp_packet *p)
{
	struct ntp_sample s;

	return ntp_check_reply(p, XMT, T1, T4, &s);
}

static struct ntp_sample
sample(ntp_dur offset, ntp_dur root_distance, ntp_dur delay)
{
	struct ntp_sample s;

	memset(&s, 0, sizeof(s));
	s.offset = offset;
	s.root_distance = root_distance;
	s.delay = delay;
	return s;
}

/* ---- ntp_encode_request ---- */

static void
test_encode_request_version_4(void **state)
{
	static const uint8_t want[NTP_PACKET_LEN] = {
		[0] = 0x23,	/* LI 0 << 6 | VN 4 << 3 | mode 3 = 0x00|0x20|0x03 */
		[40] = 0x5E, 0xED, 0x5E, 0xED, 0xC0, 0xFF, 0xEE, 0x42,
	};
	uint8_t buf[NTP_PACKET_LEN];

	(void)state;
	memset(buf, 0xAA, sizeof(buf));
	ntp_encode_request(buf, 4, XMT);
	assert_memory_equal(buf, want, NTP_PACKET_LEN);
}

static void
test_encode_request_version_3(void **state)
{
	static const uint8_t want[NTP_PACKET_LEN] = {
		[0] = 0x1B,	/* LI 0 << 6 | VN 3 << 3 | mode 3 = 0x00|0x18|0x03 */
		[40] = 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
	};
	uint8_t buf[NTP_PACKET_LEN];

	(void)state;
	memset(buf, 0xFF, sizeof(buf));
	ntp_encode_request(buf, 3, UINT64_C(0x0123456789ABCDEF));
	assert_memory_equal(buf, want, NTP_PACKET_LEN);
}

/* ---- ntp_decode ---- */

/*
 * A chrony reply ("local stratum 8"): LI 0, VN 4, mode 4 = 0x24, stratum 8,
 * poll 3, precision -25 = 0xE7, root delay 0, root dispersion 0x00000011,
 * refid "LOCL", then the reference, origin, receive and transmit stamps.
 * A 28-byte extension field (RFC 7822: type 0x0104, length 0x001C) may
 * follow the 48-byte header.
 */
static const uint8_t chrony_reply[76] = {
	0x24, 0x08, 0x03, 0xE7,
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x11,
	'L', 'O', 'C', 'L',
	0xEE, 0xB0, 0xD5, 0x35, 0x1A, 0x2B, 0x3C, 0x4D,
	0x5E, 0xED, 0x5E, 0xED, 0xC0, 0xFF, 0xEE, 0x42,
	0xEE, 0xB0, 0xD5, 0x3A, 0x40, 0xC0, 0xFF, 0xEE,
	0xEE, 0xB0, 0xD5, 0x3A, 0x40, 0xC1, 0x23, 0x45,
	0x01, 0x04, 0x00, 0x1C,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x00,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
};

static void
assert_chrony_reply_fields(const struct ntp_packet *p)
{
	assert_int_equal(p->leap, 0);
	assert_int_equal(p->version, 4);
	assert_int_equal(p->mode, 4);
	assert_int_equal(p->stratum, 8);
	assert_int_equal(p->poll, 3);
	assert_int_equal(p->precision, -25);	/* 0xE7 = 231 - 256 */
	assert_int_equal(p->root_delay, 0);
	assert_int_equal(p->root_disp, 0x11);
	assert_int_equal(p->refid, 0x4C4F434C);	/* 'L' 'O' 'C' 'L' */
	assert_int_equal(p->ref, UINT64_C(0xEEB0D5351A2B3C4D));
	assert_int_equal(p->org, UINT64_C(0x5EED5EEDC0FFEE42));
	assert_int_equal(p->rx, UINT64_C(0xEEB0D53A40C0FFEE));
	assert_int_equal(p->tx, UINT64_C(0xEEB0D53A40C12345));
}

static void
test_decode_chrony_reply(void **state)
{
	struct ntp_packet p;

	(void)state;
	assert_int_equal(ntp_decode(chrony_reply, NTP_PACKET_LEN, &p), NTP_OK);
	assert_chrony_reply_fields(&p);
}

static void
test_decode_leap_alarm_version_3(void **state)
{
	uint8_t buf[NTP_PACKET_LEN] = {
		0xDC,	/* LI 3 << 6 | VN 3 << 3 | mode 4 = 0xC0|0x18|0x04 */
		0x10,	/* stratum 16 */
		0x11,	/* poll 17 */
		0x80,	/* precision -128 */
	};
	struct ntp_packet p;

	(void)state;
	assert_int_equal(ntp_decode(buf, sizeof(buf), &p), NTP_OK);
	assert_int_equal(p.leap, 3);
	assert_int_equal(p.version, 3);
	assert_int_equal(p.mode, 4);
	assert_int_equal(p.stratum, 16);
	assert_int_equal(p.poll, 17);
	assert_int_equal(p.precision, -128);
}

static void
test_decode_rejects_47_bytes(void **state)
{
	struct ntp_packet p;

	(void)state;
	memset(&p, 0xAA, sizeof(p));
	assert_int_equal(ntp_decode(chrony_reply, NTP_PACKET_LEN - 1, &p),
	    NTP_SHORT);
	assert_int_equal(p.org, 0);	/* cleared, not left as garbage */
}

static void
test_decode_reply_with_extension_field(void **state)
{
	struct ntp_packet p;

	(void)state;
	assert_int_equal(ntp_decode(chrony_reply, sizeof(chrony_reply), &p),
	    NTP_OK);
	assert_chrony_reply_fields(&p);
}

/* ---- ntp_check_reply: accepted replies ---- */

static void
test_check_reply_happy_path(void **state)
{
	struct ntp_packet p = reply();
	struct ntp_sample s;

	(void)state;
	assert_int_equal(ntp_check_reply(&p, XMT, T1, T4, &s), NTP_OK);
	assert_int_equal(s.t1, T1);
	assert_int_equal(s.t2, T2);
	assert_int_equal(s.t3, T3);
	assert_int_equal(s.t4, T4);
	/*
	 * T2 - T1 = 0xA_80000000 = 45097156608 (10.5 s)
	 * T3 - T4 = 45097156608 + 4294967 - 12884901 = 45088566674
	 * offset  = (45097156608 + 45088566674) / 2 = 45092861641
	 *         = 0xA_7FBE76C9 (10.499 s)
	 */
	assert_int_equal(s.offset, INT64_C(0x0000000A7FBE76C9));
	/* delay = (T4 - T1) - (T3 - T2) = 12884901 - 4294967 = 8589934 (2 ms) */
	assert_int_equal(s.delay, INT64_C(0x000000000083126E));
	/*
	 * root distance = (root delay + delay) / 2 + root dispersion
	 *   = (0x0100 << 16 + 0x83126E) / 2 + 0x0200 << 16
	 *   = 0x183126E / 2 + 0x2000000 = 0xC18937 + 0x2000000 = 0x2C18937
	 */
	assert_int_equal(s.root_distance, INT64_C(0x0000000002C18937));
}

static void
test_check_reply_negative_offset(void **state)
{
	struct ntp_packet p = reply();
	struct ntp_sample s;
	uint64_t t4 = UINT64_C(0xEEB0D53A40400000);	/* T1 + 0x400000 */

	(void)state;
	p.rx = UINT64_C(0xEEB0D53800100000);	/* T1 - 2.25 s + 0x100000 */
	p.tx = UINT64_C(0xEEB0D53800200000);	/* rx + 0x100000 */
	assert_int_equal(ntp_check_reply(&p, XMT, T1, t4, &s), NTP_OK);
	/*
	 * T2 - T1 = -0x2_40000000 + 0x100000
	 * T3 - T4 = -0x2_40000000 + 0x200000 - 0x400000
	 * offset  = (-0x4_80000000 - 0x100000) / 2 = -0x2_40080000 (-2.25012 s)
	 */
	assert_int_equal(s.offset, -INT64_C(0x0000000240080000));
	/* delay = 0x400000 - 0x100000 = 0x300000 */
	assert_int_equal(s.delay, INT64_C(0x0000000000300000));
}

/* Both differences positive, odd sum: 0x380000.5 is cut to 0x380000. */
static void
test_check_reply_positive_half_unit_offset_rounds_toward_zero(void **state)
{
	struct ntp_packet p = reply();
	struct ntp_sample s;

	(void)state;
	p.rx = T1 + 0x400001;
	p.tx = T1 + 0x500001;
	assert_int_equal(ntp_check_reply(&p, XMT, T1, T1 + 0x200001, &s),
	    NTP_OK);
	/* (T2 - T1) + (T3 - T4) = 0x400001 + 0x300000 = 0x700001 */
	assert_int_equal(s.offset, INT64_C(0x380000));
	/* delay = 0x200001 - 0x100000 */
	assert_int_equal(s.delay, INT64_C(0x100001));
}

/* Both differences negative, odd sum: -0x480001.5 is cut to -0x480001. */
static void
test_check_reply_negative_half_unit_offset_rounds_toward_zero(void **state)
{
	struct ntp_packet p = reply();
	struct ntp_sample s;

	(void)state;
	p.rx = T1 - 0x400001;
	p.tx = T1 - 0x300001;
	assert_int_equal(ntp_check_reply(&p, XMT, T1, T1 + 0x200001, &s),
	    NTP_OK);
	/* (T2 - T1) + (T3 - T4) = -0x400001 - 0x500002 = -0x900003 */
	assert_int_equal(s.offset, -INT64_C(0x480001));
	assert_int_equal(s.delay, INT64_C(0x100001));
}

/*
 * The usual case of a synchronized board: T2 - T1 > 0 and T3 - T4 < 0.
 * (T2 - T1) + (T3 - T4) = 0x400000 - 0x100001 = 0x2FFFFF = 3145727;
 * 3145727 / 2 = 1572863.5, toward zero 1572863 = 0x17FFFF.
 */
static void
test_check_reply_mixed_sign_positive_offset_rounds_toward_zero(void **state)
{
	struct ntp_packet p = reply();
	struct ntp_sample s;

	(void)state;
	p.rx = T1 + 0x400000;
	p.tx = T1 + 0x500000;
	assert_int_equal(ntp_check_reply(&p, XMT, T1, T1 + 0x600001, &s),
	    NTP_OK);
	assert_int_equal(s.delay, INT64_C(0x500001));	/* 0x600001 - 0x100000 */
	assert_int_equal(s.offset, INT64_C(0x17FFFF));
}

/* (T2 - T1) + (T3 - T4) = 0x100001 - 0x400000 = -0x2FFFFF: -0x17FFFF. */
static void
test_check_reply_mixed_sign_negative_offset_rounds_toward_zero(void **state)
{
	struct ntp_packet p = reply();
	struct ntp_sample s;

	(void)state;
	p.rx = T1 + 0x100001;
	p.tx = T1 + 0x200001;
	assert_int_equal(ntp_check_reply(&p, XMT, T1, T1 + 0x600001, &s),
	    NTP_OK);
	assert_int_equal(s.delay, INT64_C(0x500001));	/* 0x600001 - 0x100000 */
	assert_int_equal(s.offset, -INT64_C(0x17FFFF));
}

/*
 * T1 in era 0, 2036-02-07T06:28:15.5Z; the server's stamps in era 1, after
 * the NTP seconds wrapped to 0 at 06:28:16Z.
 *   T2 - T1 = 0x00000000_20000000 - 0xFFFFFFFF_80000000 mod 2^64
 *           = 0x80000000 + 0x20000000 = 0xA0000000 (0.625 s)
 *   T3 - T4 = 0x30000000 - 0x08000000 = 0x28000000
 *   offset  = (0xA0000000 + 0x28000000) / 2 = 0x64000000 (0.390625 s)
 *   delay   = (T4 - T1) - (T3 - T2) = 0x88000000 - 0x10000000 = 0x78000000
 */
static void
test_check_reply_across_era_boundary(void **state)
{
	struct ntp_packet p = reply();
	struct ntp_sample s;
	uint64_t t1 = UINT64_C(0xFFFFFFFF80000000);
	uint64_t t4 = UINT64_C(0x0000000008000000);

	(void)state;
	p.rx = UINT64_C(0x0000000020000000);
	p.tx = UINT64_C(0x0000000030000000);
	assert_int_equal(ntp_check_reply(&p, XMT, t1, t4, &s), NTP_OK);
	assert_int_equal(s.offset, INT64_C(0x64000000));
	assert_int_equal(s.delay, INT64_C(0x78000000));
}

/*
 * A board that booted at 1970-01-01T00:00:00Z (NTP 0x83AA7E80) asks a
 * server at 2026-11-25T00:00:00Z (Unix 1795564800, NTP 0xEEB0A380).
 *   T2 - T1 = (0xEEB0A380 - 0x83AA7E80) s + 0x01000000 = 0x6B062500_01000000
 *   T3 - T4 = 0x6B062500 s + 0x01100000 - 0x02000000
 *   offset  = 0x6B062500 s + (0x01000000 + 0x01100000 - 0x02000000) / 2
 *           = 0x6B062500_00080000 (1795564800 s = 56.9 years)
 *   delay   = 0x02000000 - 0x00100000 = 0x01F00000
 */
static void
test_check_reply_board_clock_at_1970(void **state)
{
	struct ntp_packet p = reply();
	struct ntp_sample s;
	uint64_t t1 = UNIX_0_NTP;
	uint64_t t4 = UNIX_0_NTP + 0x02000000;

	(void)state;
	p.rx = UINT64_C(0xEEB0A38001000000);
	p.tx = UINT64_C(0xEEB0A38001100000);
	p.ref = p.rx - NTP_DUR_SEC(64);	/* last set before it answered */
	assert_int_equal(ntp_check_reply(&p, XMT, t1, t4, &s), NTP_OK);
	assert_int_equal(s.offset, INT64_C(0x6B06250000080000));
	assert_int_equal(s.delay, INT64_C(0x0000000001F00000));
}

static void
test_check_reply_accepts_versions_1_to_4(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.version = 1;
	assert_int_equal(verdict(&p), NTP_OK);
	p.version = 3;
	assert_int_equal(verdict(&p), NTP_OK);
}

/* ---- ntp_check_reply: rejections ---- */

static void
test_check_reply_rejects_wrong_origin(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.org = XMT + 1;
	assert_int_equal(verdict(&p), NTP_BOGUS);
	p.org = T1;	/* our clock is not what we sent */
	assert_int_equal(verdict(&p), NTP_BOGUS);
}

static void
test_check_reply_rejects_version_0(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.version = 0;
	assert_int_equal(verdict(&p), NTP_BAD_VERSION);
}

static void
test_check_reply_rejects_version_5(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.version = 5;
	assert_int_equal(verdict(&p), NTP_BAD_VERSION);
}

static void
test_check_reply_rejects_client_and_broadcast_modes(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.mode = NTP_MODE_CLIENT;
	assert_int_equal(verdict(&p), NTP_BAD_MODE);
	p.mode = 5;
	assert_int_equal(verdict(&p), NTP_BAD_MODE);
}

/* A kiss-o'-death as ntpd sends it: LI 3, stratum 0, the code in refid. */
static struct ntp_packet
kiss(uint32_t code)
{
	struct ntp_packet p = reply();

	p.leap = NTP_LI_ALARM;
	p.stratum = NTP_STRATUM_KOD;
	p.refid = code;
	return p;
}

static void
test_check_reply_rejects_kod_rate(void **state)
{
	struct ntp_packet p = kiss(NTP_KISS('R', 'A', 'T', 'E'));

	(void)state;
	assert_int_equal(verdict(&p), NTP_KOD_RATE);
}

static void
test_check_reply_rejects_kod_deny(void **state)
{
	struct ntp_packet p = kiss(NTP_KISS('D', 'E', 'N', 'Y'));

	(void)state;
	assert_int_equal(verdict(&p), NTP_KOD_DENY);
}

static void
test_check_reply_rejects_kod_rstr(void **state)
{
	struct ntp_packet p = kiss(NTP_KISS('R', 'S', 'T', 'R'));

	(void)state;
	assert_int_equal(verdict(&p), NTP_KOD_RSTR);
}

/* Kiss codes that are neither RATE, DENY, RSTR nor a state: no time. */
static void
test_check_reply_rejects_kod_other(void **state)
{
	struct ntp_packet p = kiss(NTP_KISS('A', 'U', 'T', 'H'));

	(void)state;
	assert_int_equal(verdict(&p), NTP_KOD_OTHER);
	p.refid = NTP_KISS('N', 'T', 'S', 'N');
	assert_int_equal(verdict(&p), NTP_KOD_OTHER);
	p.refid = NTP_KISS('X', 'Y', 0, 0);	/* undefined, with LI 3 */
	assert_int_equal(verdict(&p), NTP_KOD_OTHER);
	p.leap = NTP_LI_NOWARNING;		/* stratum 0 without any code */
	p.refid = 0;
	assert_int_equal(verdict(&p), NTP_KOD_OTHER);
}

/*
 * INIT and STEP say "not synchronized (yet)": classic ntpd and NTPsec send
 * their internal stratum 16 as 0 with INIT.  ntpdate maps stratum 0 back to
 * 16 and says "strata too high"; so do we, not "kiss-o'-death".
 */
static void
test_check_reply_init_and_step_are_unsynchronized(void **state)
{
	struct ntp_packet p = kiss(NTP_KISS('I', 'N', 'I', 'T'));

	(void)state;
	assert_int_equal(verdict(&p), NTP_STRATUM_HIGH);
	p.leap = NTP_LI_NOWARNING;
	assert_int_equal(verdict(&p), NTP_STRATUM_HIGH);
	p = kiss(NTP_KISS('S', 'T', 'E', 'P'));
	assert_int_equal(verdict(&p), NTP_STRATUM_HIGH);
}

/* chrony and OpenNTPD: LI 3, stratum 0, refid 0 (no kiss code). */
static void
test_check_reply_stratum_0_leap_alarm_without_code_is_unsynchronized(
    void **state)
{
	struct ntp_packet p = kiss(0);

	(void)state;
	assert_int_equal(verdict(&p), NTP_STRATUM_HIGH);
	p.refid = NTP_KISS(0x7F, 0, 0, 1);	/* an address, not a code */
	assert_int_equal(verdict(&p), NTP_STRATUM_HIGH);
}

/*
 * What the real servers sent in the sandbox right after they started
 * without a reference (README, "Servers that are not synchronized"), with
 * the origin replaced by our nonce XMT: all of them "strata too high".
 */
static const uint8_t chrony_unsynced[NTP_PACKET_LEN] = {
	0xe4, 0x00, 0x00, 0xe6, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x5E, 0xED, 0x5E, 0xED, 0xC0, 0xFF, 0xEE, 0x42,
	0xee, 0xb7, 0x96, 0xe1, 0x60, 0xc1, 0x77, 0x99,
	0xee, 0xb7, 0x96, 0xe1, 0x60, 0xc4, 0xa3, 0xf2,
};
static const uint8_t ntpsec_unsynced[NTP_PACKET_LEN] = {
	0xe4, 0x00, 0x00, 0xe8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x13, 'I', 'N', 'I', 'T',
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x5E, 0xED, 0x5E, 0xED, 0xC0, 0xFF, 0xEE, 0x42,
	0xee, 0xb7, 0x97, 0x5b, 0x05, 0x8e, 0x19, 0x2a,
	0xee, 0xb7, 0x97, 0x5b, 0x05, 0x91, 0x12, 0x23,
};
static const uint8_t openntpd_unsynced[NTP_PACKET_LEN] = {
	0xe4, 0x00, 0x00, 0xe3, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x5E, 0xED, 0x5E, 0xED, 0xC0, 0xFF, 0xEE, 0x42,
	0xee, 0xb7, 0x97, 0xbf, 0x1e, 0xd9, 0xff, 0xff,
	0xee, 0xb7, 0x97, 0xbf, 0x1e, 0xda, 0x47, 0xff,
};

static void
test_check_reply_real_unsynchronized_servers(void **state)
{
	const uint8_t *real[] = { chrony_unsynced, ntpsec_unsynced,
	    openntpd_unsynced };
	struct ntp_packet p;
	struct ntp_sample s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		assert_int_equal(ntp_decode(real[i], NTP_PACKET_LEN, &p),
		    NTP_OK);
		assert_int_equal(p.leap, NTP_LI_ALARM);
		assert_int_equal(p.stratum, 0);
		assert_int_equal(p.ref, 0);
		assert_int_equal(ntp_check_reply(&p, XMT, p.rx, p.tx, &s),
		    NTP_STRATUM_HIGH);
	}
}

/* RFC 5905 section 7.4: four ASCII characters, left justified, zero filled. */
static void
test_kiss_code(void **state)
{
	char code[NTP_KISS_LEN + 1];

	(void)state;
	assert_true(ntp_kiss_code(NTP_KISS('I', 'N', 'I', 'T'), code));
	assert_string_equal(code, "INIT");
	assert_true(ntp_kiss_code(NTP_KISS('X', 'Y', 0, 0), code));
	assert_string_equal(code, "XY");
	assert_false(ntp_kiss_code(0, code));		/* chrony, OpenNTPD */
	assert_string_equal(code, "");
	assert_false(ntp_kiss_code(NTP_KISS('X', 0, 'Y', 0), code));
	assert_string_equal(code, "");
	assert_false(ntp_kiss_code(NTP_KISS(127, 0, 0, 1), code));
	assert_false(ntp_kiss_code(NTP_KISS('A', 'B', 'C', 0x80), code));
	assert_false(ntp_kiss_code(NTP_KISS(0, 'A', 'B', 'C'), code));
}

/* Every code of RFC 5905 figure 13 and RFC 8915's NTSN has words. */
static void
test_kiss_words_for_every_rfc_code(void **state)
{
	static const uint32_t codes[] = { NTP_KISS_ACST, NTP_KISS_AUTH,
	    NTP_KISS_AUTO, NTP_KISS_BCST, NTP_KISS_CRYP, NTP_KISS_DENY,
	    NTP_KISS_DROP, NTP_KISS_RSTR, NTP_KISS_INIT, NTP_KISS_MCST,
	    NTP_KISS_NKEY, NTP_KISS_NTSN, NTP_KISS_RATE, NTP_KISS_RMOT,
	    NTP_KISS_STEP };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_non_null(ntp_kiss_words(codes[i]));
		assert_true(ntp_kiss_words(codes[i])[0] != '\0');
	}
	assert_string_equal(ntp_kiss_words(NTP_KISS_AUTH),
	    "server authentication failed");
	assert_null(ntp_kiss_words(NTP_KISS('X', 'X', 'X', 'X')));
	assert_null(ntp_kiss_words(0));
}

static void
test_check_reply_rejects_stratum_16(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.stratum = 16;
	assert_int_equal(verdict(&p), NTP_STRATUM_HIGH);
}

static void
test_check_reply_rejects_stratum_255(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.stratum = 255;
	assert_int_equal(verdict(&p), NTP_STRATUM_HIGH);
}

static void
test_check_reply_accepts_stratum_15(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.stratum = 15;
	assert_int_equal(verdict(&p), NTP_OK);
}

static void
test_check_reply_rejects_leap_alarm(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.leap = NTP_LI_ALARM;
	p.stratum = 2;
	assert_int_equal(verdict(&p), NTP_LEAP_ALARM);
}

static void
test_check_reply_rejects_zero_receive_time(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.rx = 0;
	assert_int_equal(verdict(&p), NTP_ZERO_TIME);
}

static void
test_check_reply_rejects_zero_transmit_time(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.tx = 0;
	assert_int_equal(verdict(&p), NTP_ZERO_TIME);
}

static void
test_check_reply_rejects_tx_1s_before_rx(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.tx = T2 - NTP_DUR_SEC(1);
	assert_int_equal(verdict(&p), NTP_TX_BEFORE_RX);
}

/* 2^-20 s = 4096 units: T3 = T2 - 4095 is noise, T2 - 4097 is not. */
static void
test_check_reply_tx_before_rx_below_precision_is_noise(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.tx = T2 - (PRECISION_UNITS - 1);
	assert_int_equal(verdict(&p), NTP_OK);
	p.tx = T2 - (PRECISION_UNITS + 1);
	assert_int_equal(verdict(&p), NTP_TX_BEFORE_RX);
}

/*
 * RFC 5905 A.5.1.1: a reference time after the transmit time is an invalid
 * header.  Within the server's precision (4096 units) it is noise; zero is
 * "never set" (NTPsec's orphan mode sends it) and passes.
 */
static void
test_check_reply_rejects_reference_after_transmit(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.ref = T3 + NTP_DUR_SEC(1);
	assert_int_equal(verdict(&p), NTP_REF_AFTER_TX);
	p.ref = T3 + PRECISION_UNITS + 1;
	assert_int_equal(verdict(&p), NTP_REF_AFTER_TX);
	p.ref = T3 + PRECISION_UNITS;
	assert_int_equal(verdict(&p), NTP_OK);
	p.ref = T3;
	assert_int_equal(verdict(&p), NTP_OK);
	p.ref = 0;
	assert_int_equal(verdict(&p), NTP_OK);
	/* era 1 reference, era 0 transmit 1 s before the wrap: in the future */
	p.rx = p.tx = UINT64_C(0xFFFFFFFF00000000);
	p.ref = UINT64_C(0x0000000010000000);
	assert_int_equal(verdict(&p), NTP_REF_AFTER_TX);
	/* and the other way round: 64 s old */
	p.rx = p.tx = UINT64_C(0x0000000010000000);
	p.ref = UINT64_C(0xFFFFFFC010000000);
	assert_int_equal(verdict(&p), NTP_OK);
}

/*
 * The precision as a tolerance is bounded at 2^-6 s = 2^26 units.  A
 * server claiming precision +2 (4 s) with T3 1 s before T2 was accepted
 * and slewed the clock by -0.5 s.
 */
static void
test_check_reply_precision_tolerance_is_bounded(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.precision = 2;
	p.tx = T2 - NTP_DUR_SEC(1);
	assert_int_equal(verdict(&p), NTP_TX_BEFORE_RX);
	p.precision = 127;
	assert_int_equal(verdict(&p), NTP_TX_BEFORE_RX);
	/* 2^-6 s itself: T3 = T2 - (2^26 - 1) is noise, T2 - (2^26 + 1) not */
	p.precision = -6;
	p.tx = T2 - ((1 << 26) - 1);
	assert_int_equal(verdict(&p), NTP_OK);
	p.tx = T2 - ((1 << 26) + 1);
	assert_int_equal(verdict(&p), NTP_TX_BEFORE_RX);
	/* a coarser claim does not widen it */
	p.precision = -5;
	assert_int_equal(verdict(&p), NTP_TX_BEFORE_RX);
}

/*
 * T3 = T2 + 10 s while T4 - T1 is 3 ms: delay -10 s, offset +5 s.  With
 * precision +30 (2^30 s) it was accepted and stepped the clock.
 */
static void
test_check_reply_negative_delay_with_huge_precision(void **state)
{
	struct ntp_packet p = reply();
	struct ntp_sample s;

	(void)state;
	p.precision = 30;
	p.tx = T2 + NTP_DUR_SEC(10);
	assert_int_equal(ntp_check_reply(&p, XMT, T1, T4, &s),
	    NTP_NEGATIVE_DELAY);
	assert_true(s.delay < -NTP_DUR_SEC(9));
}

/* T4 - T1 = 0x100000 but the server held the request 0x200000. */
static void
test_check_reply_rejects_negative_delay(void **state)
{
	struct ntp_packet p = reply();
	struct ntp_sample s;

	(void)state;
	p.rx = T1 + 0x10000;
	p.tx = T1 + 0x210000;
	assert_int_equal(ntp_check_reply(&p, XMT, T1, T1 + 0x100000, &s),
	    NTP_NEGATIVE_DELAY);
	assert_int_equal(s.delay, -INT64_C(0x100000));
}

/* delay = 0x100000 - 0x100FFF = -4095, above -2^-20 s = -4096: noise. */
static void
test_check_reply_negative_delay_below_precision_is_noise(void **state)
{
	struct ntp_packet p = reply();
	struct ntp_sample s;

	(void)state;
	p.rx = T1 + 0x10000;
	p.tx = T1 + 0x10000 + 0x100FFF;
	assert_int_equal(ntp_check_reply(&p, XMT, T1, T1 + 0x100000, &s),
	    NTP_OK);
	assert_int_equal(s.delay, -4095);
}

/* Root dispersion 2 s = 0x0002.0000 in 16.16. */
static void
test_check_reply_rejects_root_dispersion_2s(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.root_disp = 0x00020000;
	assert_int_equal(verdict(&p), NTP_ROOT_DISTANCE);
}

/* Root delay 4 s = 0x0004.0000: root distance >= 4 s / 2 = 2 s. */
static void
test_check_reply_rejects_root_delay_4s(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.root_delay = 0x00040000;
	assert_int_equal(verdict(&p), NTP_ROOT_DISTANCE);
}

/*
 * Root delay 0, delay 8589934 (the standard exchange), so
 *   root distance = 8589934 / 2 + disp << 16 = 4294967 + disp * 65536
 * against 1.5 s = 6442450944:
 *   disp 0x17FBE = 98238: 4294967 + 6438125568 = 6442420535 (30409 below)
 *   disp 0x17FBF = 98239: 4294967 + 6438191104 = 6442486071 (35127 above)
 * The server's own root dispersion is below 1.5 s both times: it is our
 * delay that takes the second above, and the sample is dropped, not the
 * server (not a verdict of the server's state).
 */
static void
test_check_reply_root_distance_just_below_limit(void **state)
{
	struct ntp_packet p = reply();
	struct ntp_sample s;

	(void)state;
	p.root_delay = 0;
	p.root_disp = 0x00017FBE;
	assert_int_equal(ntp_check_reply(&p, XMT, T1, T4, &s), NTP_OK);
	assert_int_equal(s.root_distance, INT64_C(6442420535));
	p.root_disp = 0x00017FBF;
	assert_int_equal(ntp_check_reply(&p, XMT, T1, T4, &s),
	    NTP_DELAY_TOO_LARGE);
	assert_int_equal(s.root_distance, INT64_C(6442486071));
	assert_false(ntp_verdict_is_server_state(NTP_DELAY_TOO_LARGE));
}

/*
 * The server is judged by what it says of itself: root delay / 2 + root
 * dispersion <= 1.5 s.  Root dispersion 0x18000 (1.5 s) with root delay 0
 * passes the server's check whatever our delay; 0x18001 does not.
 */
static void
test_check_reply_server_root_distance_limit(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.root_delay = 0;
	p.root_disp = 0x00018001;
	assert_int_equal(verdict(&p), NTP_ROOT_DISTANCE);
	assert_true(ntp_verdict_is_server_state(NTP_ROOT_DISTANCE));
	p.root_disp = 0x00018000;
	assert_int_equal(verdict(&p), NTP_DELAY_TOO_LARGE);	/* + delay / 2 */
	/* root delay 3 s = 0x30000: 1.5 s; 0x30002: 1.5 s + 2^-16 */
	p.root_disp = 0;
	p.root_delay = 0x00030002;
	assert_int_equal(verdict(&p), NTP_ROOT_DISTANCE);
}

/*
 * A good server (root delay 2.9 s, dispersion 0) and a slow sample: 200 ms
 * round trip makes (2.9 + 0.2) / 2 = 1.55 s.  Before, "root distance too
 * large" dropped the server.  Likewise our clock jumping +10 s between T1
 * and T4.
 */
static void
test_check_reply_slow_sample_is_the_samples_fault(void **state)
{
	struct ntp_packet p = reply();
	struct ntp_sample s;

	(void)state;
	p.root_delay = 0x0002E666;	/* 2.9 s */
	p.root_disp = 0;
	assert_int_equal(ntp_check_reply(&p, XMT, T1, T4, &s), NTP_OK);
	assert_int_equal(ntp_check_reply(&p, XMT, T1, T1 + NTP_DUR_MSEC(200),
	    &s), NTP_DELAY_TOO_LARGE);
	assert_int_equal(ntp_check_reply(&p, XMT, T1, T4 + NTP_DUR_SEC(10),
	    &s), NTP_DELAY_TOO_LARGE);
	assert_true(s.delay > NTP_DUR_SEC(9));
}

static void
test_check_reply_kod_with_wrong_origin_is_bogus(void **state)
{
	struct ntp_packet p = kiss(NTP_KISS('D', 'E', 'N', 'Y'));

	(void)state;
	p.org = XMT ^ 1;
	assert_int_equal(verdict(&p), NTP_BOGUS);
}

static void
test_check_reply_stratum_16_with_wrong_origin_is_bogus(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.stratum = 16;
	p.org = 0;
	assert_int_equal(verdict(&p), NTP_BOGUS);
}

static void
test_check_reply_stratum_16_with_leap_alarm_is_stratum_high(void **state)
{
	struct ntp_packet p = reply();

	(void)state;
	p.stratum = 16;
	p.leap = NTP_LI_ALARM;
	assert_int_equal(verdict(&p), NTP_STRATUM_HIGH);
}

static void
test_check_reply_fills_timestamps_of_rejected_reply(void **state)
{
	struct ntp_packet p = reply();
	struct ntp_sample s;

	(void)state;
	p.org = 0;
	assert_int_equal(ntp_check_reply(&p, XMT, T1, T4, &s), NTP_BOGUS);
	assert_int_equal(s.t1, T1);
	assert_int_equal(s.t2, T2);
	assert_int_equal(s.t3, T3);
	assert_int_equal(s.t4, T4);
}

/* ---- verdicts ---- */

static void
test_verdict_is_server_state(void **state)
{
	enum ntp_verdict v;

	(void)state;
	assert_false(ntp_verdict_is_server_state(NTP_OK));
	assert_false(ntp_verdict_is_server_state(NTP_SHORT));
	assert_false(ntp_verdict_is_server_state(NTP_BOGUS));
	assert_false(ntp_verdict_is_server_state(NTP_DUPLICATE));
	assert_false(ntp_verdict_is_server_state(NTP_NEGATIVE_DELAY));
	assert_false(ntp_verdict_is_server_state(NTP_DELAY_TOO_LARGE));
	/* A bad MAC may be forged; the crypto-NAK is the server's. */
	assert_false(ntp_verdict_is_server_state(NTP_AUTH_MISSING));
	assert_false(ntp_verdict_is_server_state(NTP_AUTH_KEYID));
	assert_false(ntp_verdict_is_server_state(NTP_AUTH_FAILED));
	assert_true(ntp_verdict_is_server_state(NTP_CRYPTO_NAK));
	assert_false(ntp_verdict_has_times(NTP_CRYPTO_NAK));
	assert_false(ntp_verdict_has_times(NTP_AUTH_FAILED));
	/* NTS alike: the NAK carries our Unique Identifier. */
	assert_false(ntp_verdict_is_server_state(NTP_NTS_MALFORMED));
	assert_false(ntp_verdict_is_server_state(NTP_NTS_UID));
	assert_false(ntp_verdict_is_server_state(NTP_NTS_MISSING));
	assert_false(ntp_verdict_is_server_state(NTP_NTS_FAILED));
	/* RFC 8915 section 5.7: a NAK is not authenticated. */
	assert_false(ntp_verdict_is_server_state(NTP_NTS_NAK));
	assert_true(ntp_verdict_is_forgery(NTP_NTS_NAK));
	assert_false(ntp_verdict_has_times(NTP_NTS_NAK));
	assert_false(ntp_verdict_has_times(NTP_NTS_FAILED));
	for (v = NTP_BAD_VERSION; v < NTP_VERDICT_COUNT; v++)
		if (v != NTP_NEGATIVE_DELAY && v != NTP_DELAY_TOO_LARGE)
			assert_true(ntp_verdict_is_server_state(v));
}

static void
test_verdict_name_and_why_for_every_value(void **state)
{
	enum ntp_verdict v;

	(void)state;
	for (v = NTP_OK; v < NTP_VERDICT_COUNT; v++) {
		assert_non_null(ntp_verdict_name(v));
		assert_non_null(ntp_verdict_why(v));
		assert_true(ntp_verdict_name(v)[0] != '\0');
		assert_true(ntp_verdict_why(v)[0] != '\0');
	}
}

static void
test_verdict_names_are_ntpdates_words(void **state)
{
	(void)state;
	assert_string_equal(ntp_verdict_name(NTP_STRATUM_HIGH),
	    "strata too high");
	assert_string_equal(ntp_verdict_name(NTP_LEAP_ALARM),
	    "Leap not in sync");
}

static void
test_verdict_out_of_range_is_question_mark(void **state)
{
	(void)state;
	assert_string_equal(ntp_verdict_name(NTP_VERDICT_COUNT), "?");
	assert_string_equal(ntp_verdict_why(NTP_VERDICT_COUNT), "?");
	assert_string_equal(ntp_verdict_name((enum ntp_verdict)255), "?");
	assert_string_equal(ntp_verdict_why((enum ntp_verdict)255), "?");
}

/* ---- ntp_from_timespec / ntp_to_timespec ---- */

static uint64_t
from_timespec(time_t sec, long nsec)
{
	struct timespec ts = { .tv_sec = sec, .tv_nsec = nsec };

	return ntp_from_timespec(&ts);
}

static void
assert_to_timespec(uint64_t t, time_t sec, long nsec)
{
	struct timespec ts;

	ntp_to_timespec(t, &ts);
	assert_int_equal(ts.tv_sec, sec);
	assert_int_equal(ts.tv_nsec, nsec);
}

static void
test_timespec_unix_epoch(void **state)
{
	(void)state;
	/* 70 years and 17 leap days: (70 * 365 + 17) * 86400 = 2208988800 */
	assert_int_equal(from_timespec(0, 0), UNIX_0_NTP);
	assert_to_timespec(UNIX_0_NTP, 0, 0);
}

/* 2036-02-07T06:28:16Z: Unix 2085978496 = 2^32 - 2208988800, NTP 0 era 1. */
static void
test_timespec_era_1_starts_2036(void **state)
{
	(void)state;
	assert_int_equal(from_timespec(2085978496, 0), 0);
	assert_to_timespec(0, 2085978496, 0);
	/* one second before: NTP 0xFFFFFFFF in era 0 */
	assert_int_equal(from_timespec(2085978495, 0),
	    UINT64_C(0xFFFFFFFF00000000));
	assert_to_timespec(UINT64_C(0xFFFFFFFF00000000), 2085978495, 0);
}

/*
 * Bit 0 of the seconds picks the era, so the range is
 *   0x80000000 era 0: 2147483648 - 2208988800 = -61505152
 *     (1968-01-20T03:14:08Z)
 *   0x7FFFFFFF era 1: 2147483647 - 2208988800 + 2^32 = 4233462143
 *     (2104-02-26T09:42:23Z)
 */
static void
test_timespec_range_limits(void **state)
{
	(void)state;
	assert_to_timespec(UINT64_C(0x8000000000000000), -61505152, 0);
	assert_int_equal(from_timespec(-61505152, 0),
	    UINT64_C(0x8000000000000000));
	assert_to_timespec(UINT64_C(0x7FFFFFFF00000000), 4233462143, 0);
	assert_int_equal(from_timespec(4233462143, 0),
	    UINT64_C(0x7FFFFFFF00000000));
}

static void
test_timespec_half_second(void **state)
{
	(void)state;
	/* 500000000 * 2^32 / 10^9 = 2^31 */
	assert_int_equal(from_timespec(0, 500000000),
	    UNIX_0_NTP | 0x80000000);
	assert_to_timespec(UNIX_0_NTP | 0x80000000, 0, 500000000);
}

/* 1 ns = 2^32 / 10^9 = 4.29 units, nearest 4; 4 units = 0.93 ns -> 1 ns. */
static void
test_timespec_rounds_1ns(void **state)
{
	(void)state;
	assert_int_equal(from_timespec(0, 1), UNIX_0_NTP | 4);
	assert_to_timespec(UNIX_0_NTP | 4, 0, 1);
}

/*
 * 999999999 ns = 2^32 - 4.29 units, nearest 0xFFFFFFFC: no carry;
 * back: 0xFFFFFFFC * 10^9 / 2^32 = 999999999.07 -> 999999999.
 */
static void
test_timespec_999999999ns_round_trips(void **state)
{
	(void)state;
	assert_int_equal(from_timespec(0, 999999999), UNIX_0_NTP | 0xFFFFFFFC);
	assert_to_timespec(UNIX_0_NTP | 0xFFFFFFFC, 0, 999999999);
}

/* 0xFFFFFFFF * 10^9 / 2^32 = 999999999.77 -> 10^9: the next second. */
static void
test_to_timespec_fraction_carries_into_next_second(void **state)
{
	(void)state;
	assert_to_timespec(UNIX_0_NTP | 0xFFFFFFFF, 1, 0);
}

/* 2038-01-19T03:14:08Z = Unix 2^31: 2^31 + 2208988800 - 2^32 = 0x03AA7E80. */
static void
test_timespec_2038(void **state)
{
	(void)state;
	assert_true(sizeof(time_t) >= 8);
	assert_int_equal(from_timespec((time_t)1 << 31, 0),
	    UINT64_C(0x03AA7E8000000000));
	assert_to_timespec(UINT64_C(0x03AA7E8000000000), (time_t)1 << 31, 0);
}

/* 1969-12-31T23:59:59Z = Unix -1: 2208988800 - 1 = 0x83AA7E7F. */
static void
test_timespec_negative_time_t(void **state)
{
	(void)state;
	assert_int_equal(from_timespec(-1, 0), UINT64_C(0x83AA7E7F00000000));
	assert_to_timespec(UINT64_C(0x83AA7E7F00000000), -1, 0);
}

/* ---- durations ---- */

static void
test_diff_across_era_wrap(void **state)
{
	(void)state;
	/* 0x1_00000001_00000000 - 0xFFFFFFFF_00000000 = 0x2_00000000: +2 s */
	assert_int_equal(ntp_diff(UINT64_C(0x0000000100000000),
	    UINT64_C(0xFFFFFFFF00000000)), NTP_DUR_SEC(2));
	assert_int_equal(ntp_diff(UINT64_C(0xFFFFFFFF00000000),
	    UINT64_C(0x0000000100000000)), -NTP_DUR_SEC(2));
}

static void
test_diff_negative(void **state)
{
	(void)state;
	assert_int_equal(ntp_diff(0, 1), -1);
	assert_int_equal(ntp_diff(T1, T2), -INT64_C(0x0000000A80000000));
}

/* a - b = 2^63 mod 2^64 reads as INT64_MIN; 2^63 - 1 as INT64_MAX. */
static void
test_diff_extremes(void **state)
{
	(void)state;
	assert_int_equal(ntp_diff(UINT64_C(0x8000000000000000), 0), INT64_MIN);
	assert_int_equal(ntp_diff(0, UINT64_C(0x8000000000000000)), INT64_MIN);
	assert_int_equal(ntp_diff(UINT64_C(0x7FFFFFFFFFFFFFFF), 0), INT64_MAX);
	assert_int_equal(ntp_diff(0, UINT64_C(0x7FFFFFFFFFFFFFFF)),
	    -INT64_MAX);
}

/* (2^63 - 1) * 2 / 2 = 2^63 - 1, although the sum does not fit. */
static void
test_half_sum_int64_max_does_not_overflow(void **state)
{
	(void)state;
	assert_int_equal(ntp_half_sum(INT64_MAX, INT64_MAX), INT64_MAX);
}

static void
test_half_sum_int64_min(void **state)
{
	(void)state;
	assert_int_equal(ntp_half_sum(INT64_MIN, INT64_MIN), INT64_MIN);
	/* (-2^63 - 1) / 2 = -4611686018427387904.5 -> -2^62 */
	assert_int_equal(ntp_half_sum(INT64_MIN, -1), -INT64_C(4611686018427387904));
	assert_int_equal(ntp_half_sum(INT64_MIN, 0), -INT64_C(4611686018427387904));
}

/* (-2^63 + 2^63 - 1) / 2 = -0.5 -> 0 */
static void
test_half_sum_int64_min_plus_int64_max(void **state)
{
	(void)state;
	assert_int_equal(ntp_half_sum(INT64_MIN, INT64_MAX), 0);
}

/* (-2^63 + 1) / 2 = -4611686018427387903.5 -> -4611686018427387903 */
static void
test_half_sum_int64_min_plus_1(void **state)
{
	(void)state;
	assert_int_equal(ntp_half_sum(INT64_MIN, 1),
	    -INT64_C(4611686018427387903));
}

static void
test_half_sum_same_signs_round_toward_zero(void **state)
{
	(void)state;
	assert_int_equal(ntp_half_sum(3, 0), 1);	/* 1.5 */
	assert_int_equal(ntp_half_sum(-3, 0), -1);	/* -1.5 */
	assert_int_equal(ntp_half_sum(3, 4), 3);	/* 3.5 */
	assert_int_equal(ntp_half_sum(-3, -4), -3);	/* -3.5 */
	assert_int_equal(ntp_half_sum(1, 1), 1);
	assert_int_equal(ntp_half_sum(-1, -1), -1);
}

static void
test_half_sum_mixed_signs(void **state)
{
	(void)state;
	assert_int_equal(ntp_half_sum(-3, 5), 1);	/* 2 / 2 */
	assert_int_equal(ntp_half_sum(10, -4), 3);	/* 6 / 2 */
	assert_int_equal(ntp_half_sum(5, -2), 1);	/* 1.5 */
	assert_int_equal(ntp_half_sum(-5, 2), -1);	/* -1.5 */
}

/* The odd term has the sign opposite to the sum's. */
static void
test_half_sum_mixed_signs_round_toward_zero(void **state)
{
	(void)state;
	assert_int_equal(ntp_half_sum(-1, 2), 0);	/* 0.5 */
	assert_int_equal(ntp_half_sum(1, -2), 0);	/* -0.5 */
	assert_int_equal(ntp_half_sum(-1, 4), 1);	/* 1.5 */
	assert_int_equal(ntp_half_sum(1, -4), -1);	/* -1.5 */
}

static void
test_short_to_dur(void **state)
{
	(void)state;
	assert_int_equal(ntp_short_to_dur(0x00000011), 0x110000);  /* 17 << 16 */
	assert_int_equal(ntp_short_to_dur(0x00018000), NTP_DUR_SEC(3) / 2);
	assert_int_equal(ntp_short_to_dur(0xFFFFFFFF),
	    INT64_C(0x0000FFFFFFFF0000));
}

static void
test_precision_to_dur(void **state)
{
	(void)state;
	assert_int_equal(ntp_precision_to_dur(-20), 4096);	/* 2^(32-20) */
	assert_int_equal(ntp_precision_to_dur(-25), 128);	/* 2^(32-25) */
	assert_int_equal(ntp_precision_to_dur(0), NTP_DUR_SEC(1));
	assert_int_equal(ntp_precision_to_dur(-32), 1);
	assert_int_equal(ntp_precision_to_dur(-33), 0);
	assert_int_equal(ntp_precision_to_dur(-128), 0);
	/* 2^30 s = 2^62 units, the largest power of two below INT64_MAX */
	assert_int_equal(ntp_precision_to_dur(30), INT64_C(0x4000000000000000));
	assert_int_equal(ntp_precision_to_dur(40), INT64_C(0x4000000000000000));
	assert_int_equal(ntp_precision_to_dur(127), INT64_C(0x4000000000000000));
}

static void
assert_dur_to_timespec(ntp_dur d, time_t sec, long nsec)
{
	struct timespec ts;

	ntp_dur_to_timespec(d, &ts);
	assert_int_equal(ts.tv_sec, sec);
	assert_int_equal(ts.tv_nsec, nsec);
}

static void
test_dur_to_timespec_positive(void **state)
{
	(void)state;
	assert_dur_to_timespec(0, 0, 0);
	assert_dur_to_timespec(INT64_C(0x0000000A80000000), 10, 500000000);
	/* 3 units = 0.698 ns -> 1; 2 units = 0.466 ns -> 0 */
	assert_dur_to_timespec(3, 0, 1);
	assert_dur_to_timespec(2, 0, 0);
	/* 0xFFFFFFFF units = 999999999.77 ns -> the next second */
	assert_dur_to_timespec(INT64_C(0xFFFFFFFF), 1, 0);
	/* INT64_MAX = 0x7FFFFFFF_FFFFFFFF -> 2^31 - 1 s + carry */
	assert_dur_to_timespec(INT64_MAX, (time_t)1 << 31, 0);
}

static void
test_dur_to_timespec_negative(void **state)
{
	(void)state;
	/* -1 ns = -4.29 units, nearest -4 = -0.93 ns = -1 s + 999999999 ns */
	assert_dur_to_timespec(-4, -1, 999999999);
	/* -0.5 s = -1 s + 500000000 ns */
	assert_dur_to_timespec(-INT64_C(0x80000000), -1, 500000000);
	/* -10.5 s */
	assert_dur_to_timespec(-INT64_C(0x0000000A80000000), -11, 500000000);
	/* -1 unit = -0.23 ns rounds to 0: -1 s + 10^9 ns carries to 0 */
	assert_dur_to_timespec(-1, 0, 0);
	assert_dur_to_timespec(INT64_MIN, -((time_t)1 << 31), 0);
}

static void
test_timespec_add_carries(void **state)
{
	struct timespec ts = { .tv_sec = 5, .tv_nsec = 900000000 };

	(void)state;
	ntp_timespec_add(&ts, INT64_C(0x40000000));	/* + 0.25 s */
	assert_int_equal(ts.tv_sec, 6);
	assert_int_equal(ts.tv_nsec, 150000000);
}

static void
test_timespec_add_negative(void **state)
{
	struct timespec ts = { .tv_sec = 5, .tv_nsec = 100000000 };

	(void)state;
	ntp_timespec_add(&ts, -INT64_C(0x80000000));	/* - 0.5 s */
	assert_int_equal(ts.tv_sec, 4);
	assert_int_equal(ts.tv_nsec, 600000000);
}

/* Binary fractions: every value below is exact in a double. */
static void
test_dur_to_double(void **state)
{
	(void)state;
	assert_true(ntp_dur_to_double(INT64_C(0x0000000A80000000)) == 10.5);
	assert_true(ntp_dur_to_double(-INT64_C(0x40000000)) == -0.25);
	assert_true(ntp_dur_to_double(1) == 1.0 / 4294967296.0);
	assert_true(ntp_dur_to_double(INT64_MIN) == -2147483648.0);
}

/* ---- sample and server selection ---- */

static void
test_best_sample_lowest_delay(void **state)
{
	struct ntp_sample s[4] = {
		sample(0, 0, NTP_DUR_MSEC(5)),
		sample(0, 0, NTP_DUR_MSEC(7)),
		sample(0, 0, NTP_DUR_MSEC(2)),
		sample(0, 0, NTP_DUR_MSEC(9)),
	};

	(void)state;
	assert_int_equal(ntp_best_sample(s, 4), 2);
	assert_int_equal(ntp_best_sample(s, 1), 0);
}

static void
test_best_sample_first_on_ties(void **state)
{
	struct ntp_sample s[3] = {
		sample(0, 0, NTP_DUR_MSEC(5)),
		sample(0, 0, NTP_DUR_MSEC(3)),
		sample(0, 0, NTP_DUR_MSEC(3)),
	};

	(void)state;
	assert_int_equal(ntp_best_sample(s, 3), 1);
}

/* Offset 10 ms and 20 ms agree (50 ms each); the stratum 1 liar is at +10 s. */
static void
test_select_marks_liar_falseticker(void **state)
{
	struct ntp_sample a = sample(NTP_DUR_MSEC(10), NTP_DUR_MSEC(50), 0);
	struct ntp_sample b = sample(NTP_DUR_MSEC(20), NTP_DUR_MSEC(50), 0);
	struct ntp_sample liar = sample(NTP_DUR_SEC(10), NTP_DUR_MSEC(50), 0);
	const struct ntp_sample *cand[3] = { &a, &liar, &b };
	int stratum[3] = { 3, 1, 2 };
	int falseticker[3] = { -1, -1, -1 };

	(void)state;
	assert_int_equal(ntp_select(cand, stratum, 3, falseticker), 2);
	assert_int_equal(falseticker[0], 0);
	assert_int_equal(falseticker[1], 1);
	assert_int_equal(falseticker[2], 0);
}

/*
 * Two servers that disagree: no majority, nothing is chosen (n), nobody can
 * be told a liar.  Before, the better stratum won: the liar, if it claimed
 * stratum 1, every time; at equal strata the lower delay, a coin flip.
 */
static void
test_select_two_disagreeing_chooses_nothing(void **state)
{
	struct ntp_sample a = sample(0, NTP_DUR_MSEC(10), NTP_DUR_MSEC(2));
	struct ntp_sample liar = sample(NTP_DUR_SEC(10), NTP_DUR_MSEC(10),
	    NTP_DUR_MSEC(1));
	const struct ntp_sample *cand[2] = { &a, &liar };
	int stratum[2] = { 2, 1 };
	int falseticker[2] = { -1, -1 };

	(void)state;
	assert_int_equal(ntp_select(cand, stratum, 2, falseticker), 2);
	assert_int_equal(falseticker[0], 0);
	assert_int_equal(falseticker[1], 0);
	stratum[1] = 2;
	assert_int_equal(ntp_select(cand, stratum, 2, falseticker), 2);
}

/* Two that agree: [0 +- 10 ms] and [5 ms +- 10 ms]; the better stratum. */
static void
test_select_two_agreeing(void **state)
{
	struct ntp_sample a = sample(0, NTP_DUR_MSEC(10), 0);
	struct ntp_sample b = sample(NTP_DUR_MSEC(5), NTP_DUR_MSEC(10), 0);
	const struct ntp_sample *cand[2] = { &a, &b };
	int stratum[2] = { 3, 2 };
	int falseticker[2] = { -1, -1 };

	(void)state;
	assert_int_equal(ntp_select(cand, stratum, 2, falseticker), 1);
	assert_int_equal(falseticker[0], 0);
	assert_int_equal(falseticker[1], 0);
}

/* 2-2: two at 0, two at +10 s; no majority. */
static void
test_select_four_split_two_two_chooses_nothing(void **state)
{
	struct ntp_sample a = sample(0, NTP_DUR_MSEC(10), 0);
	struct ntp_sample b = sample(NTP_DUR_MSEC(1), NTP_DUR_MSEC(10), 0);
	struct ntp_sample c = sample(NTP_DUR_SEC(10), NTP_DUR_MSEC(10), 0);
	struct ntp_sample d = sample(NTP_DUR_SEC(10) + NTP_DUR_MSEC(1),
	    NTP_DUR_MSEC(10), 0);
	const struct ntp_sample *cand[4] = { &a, &c, &b, &d };
	int stratum[4] = { 2, 1, 2, 1 };
	int falseticker[4] = { -1, -1, -1, -1 };

	(void)state;
	assert_int_equal(ntp_select(cand, stratum, 4, falseticker), 4);
	assert_int_equal(falseticker[0] | falseticker[1] | falseticker[2] |
	    falseticker[3], 0);
}

/*
 * 3 of 5 agree; the 2 liars agree with each other (+10 s) and claim
 * stratum 1: f = 2, the intersection is the honest three's, both liars
 * are falsetickers.
 */
static void
test_select_five_with_two_liars(void **state)
{
	struct ntp_sample h1 = sample(0, NTP_DUR_MSEC(10), NTP_DUR_MSEC(3));
	struct ntp_sample h2 = sample(NTP_DUR_MSEC(2), NTP_DUR_MSEC(10),
	    NTP_DUR_MSEC(2));
	struct ntp_sample h3 = sample(-NTP_DUR_MSEC(3), NTP_DUR_MSEC(10),
	    NTP_DUR_MSEC(4));
	struct ntp_sample l1 = sample(NTP_DUR_SEC(10), NTP_DUR_MSEC(10), 0);
	struct ntp_sample l2 = sample(NTP_DUR_SEC(10), NTP_DUR_MSEC(10), 0);
	const struct ntp_sample *cand[5] = { &l1, &h1, &l2, &h2, &h3 };
	int stratum[5] = { 1, 3, 1, 3, 3 };
	int falseticker[5] = { -1, -1, -1, -1, -1 };

	(void)state;
	assert_int_equal(ntp_select(cand, stratum, 5, falseticker), 3);
	assert_int_equal(falseticker[0], 1);
	assert_int_equal(falseticker[1], 0);
	assert_int_equal(falseticker[2], 1);
	assert_int_equal(falseticker[3], 0);
	assert_int_equal(falseticker[4], 0);
}

/*
 * A chain [0, 1] [0.9, 2] [1.9, 3] [2.9, 4] [3.9, 5] s: the middle three
 * each meet two others, a majority of 5 when counted pair by pair (the old
 * rule chose among them, although [0.9, 2] and [2.9, 4] disagree), but no
 * point lies in more than 2 intervals: no majority.
 */
static void
test_select_chain_has_no_majority(void **state)
{
	struct ntp_sample s[5];
	const struct ntp_sample *cand[5];
	int stratum[5] = { 2, 2, 2, 2, 2 };
	int falseticker[5];
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		/* offset i + 0.45 s, root distance 0.55 s */
		s[i] = sample(NTP_DUR_SEC(i) + NTP_DUR_MSEC(450),
		    NTP_DUR_MSEC(550), 0);
		cand[i] = &s[i];
	}
	assert_int_equal(ntp_select(cand, stratum, 5, falseticker), 5);
}

static void
test_select_stratum_beats_root_distance(void **state)
{
	struct ntp_sample a = sample(0, NTP_DUR_MSEC(100), NTP_DUR_MSEC(50));
	struct ntp_sample b = sample(0, NTP_DUR_MSEC(200), NTP_DUR_MSEC(80));
	const struct ntp_sample *cand[2] = { &a, &b };
	int stratum[2] = { 2, 1 };
	int falseticker[2];

	(void)state;
	assert_int_equal(ntp_select(cand, stratum, 2, falseticker), 1);
}

static void
test_select_root_distance_beats_delay(void **state)
{
	struct ntp_sample a = sample(0, NTP_DUR_MSEC(100), NTP_DUR_MSEC(80));
	struct ntp_sample b = sample(0, NTP_DUR_MSEC(50), NTP_DUR_MSEC(90));
	const struct ntp_sample *cand[2] = { &a, &b };
	int stratum[2] = { 2, 2 };
	int falseticker[2];

	(void)state;
	assert_int_equal(ntp_select(cand, stratum, 2, falseticker), 1);
}

static void
test_select_delay_breaks_tie(void **state)
{
	struct ntp_sample a = sample(0, NTP_DUR_MSEC(50), NTP_DUR_MSEC(30));
	struct ntp_sample b = sample(0, NTP_DUR_MSEC(50), NTP_DUR_MSEC(20));
	const struct ntp_sample *cand[2] = { &a, &b };
	int stratum[2] = { 2, 2 };
	int falseticker[2];

	(void)state;
	assert_int_equal(ntp_select(cand, stratum, 2, falseticker), 1);
}

static void
test_select_one_server(void **state)
{
	struct ntp_sample a = sample(NTP_DUR_SEC(3600), NTP_DUR_MSEC(10), 0);
	const struct ntp_sample *cand[1] = { &a };
	int stratum[1] = { 4 };
	int falseticker[1] = { -1 };

	(void)state;
	assert_int_equal(ntp_select(cand, stratum, 1, falseticker), 0);
	assert_int_equal(falseticker[0], 0);
}

/*
 * [0 +- 0.125 s] and [0.25 +- 0.125 s] touch at 0.125 s: both truechimers
 * (0x40000000 - 0 <= 0x20000000 + 0x20000000); the third is 10 s away.
 */
static void
test_select_overlapping_intervals_are_truechimers(void **state)
{
	struct ntp_sample a = sample(0, INT64_C(0x20000000), NTP_DUR_MSEC(9));
	struct ntp_sample b = sample(INT64_C(0x40000000), INT64_C(0x20000000),
	    NTP_DUR_MSEC(4));
	struct ntp_sample liar = sample(NTP_DUR_SEC(10), INT64_C(0x20000000),
	    NTP_DUR_MSEC(1));
	const struct ntp_sample *cand[3] = { &a, &b, &liar };
	int stratum[3] = { 2, 2, 2 };
	int falseticker[3] = { -1, -1, -1 };

	(void)state;
	assert_int_equal(ntp_select(cand, stratum, 3, falseticker), 1);
	assert_int_equal(falseticker[0], 0);
	assert_int_equal(falseticker[1], 0);
	assert_int_equal(falseticker[2], 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_request_version_4),
		cmocka_unit_test(test_encode_request_version_3),
		cmocka_unit_test(test_decode_chrony_reply),
		cmocka_unit_test(test_decode_leap_alarm_version_3),
		cmocka_unit_test(test_decode_rejects_47_bytes),
		cmocka_unit_test(test_decode_reply_with_extension_field),
		cmocka_unit_test(test_check_reply_happy_path),
		cmocka_unit_test(test_check_reply_negative_offset),
		cmocka_unit_test(test_check_reply_positive_half_unit_offset_rounds_toward_zero),
		cmocka_unit_test(test_check_reply_negative_half_unit_offset_rounds_toward_zero),
		cmocka_unit_test(test_check_reply_mixed_sign_positive_offset_rounds_toward_zero),
		cmocka_unit_test(test_check_reply_mixed_sign_negative_offset_rounds_toward_zero),
		cmocka_unit_test(test_check_reply_across_era_boundary),
		cmocka_unit_test(test_check_reply_board_clock_at_1970),
		cmocka_unit_test(test_check_reply_accepts_versions_1_to_4),
		cmocka_unit_test(test_check_reply_rejects_wrong_origin),
		cmocka_unit_test(test_check_reply_rejects_version_0),
		cmocka_unit_test(test_check_reply_rejects_version_5),
		cmocka_unit_test(test_check_reply_rejects_client_and_broadcast_modes),
		cmocka_unit_test(test_check_reply_rejects_kod_rate),
		cmocka_unit_test(test_check_reply_rejects_kod_deny),
		cmocka_unit_test(test_check_reply_rejects_kod_rstr),
		cmocka_unit_test(test_check_reply_rejects_kod_other),
		cmocka_unit_test(test_check_reply_init_and_step_are_unsynchronized),
		cmocka_unit_test(test_check_reply_stratum_0_leap_alarm_without_code_is_unsynchronized),
		cmocka_unit_test(test_check_reply_real_unsynchronized_servers),
		cmocka_unit_test(test_kiss_code),
		cmocka_unit_test(test_kiss_words_for_every_rfc_code),
		cmocka_unit_test(test_check_reply_rejects_stratum_16),
		cmocka_unit_test(test_check_reply_rejects_stratum_255),
		cmocka_unit_test(test_check_reply_accepts_stratum_15),
		cmocka_unit_test(test_check_reply_rejects_leap_alarm),
		cmocka_unit_test(test_check_reply_rejects_zero_receive_time),
		cmocka_unit_test(test_check_reply_rejects_zero_transmit_time),
		cmocka_unit_test(test_check_reply_rejects_tx_1s_before_rx),
		cmocka_unit_test(test_check_reply_tx_before_rx_below_precision_is_noise),
		cmocka_unit_test(test_check_reply_rejects_reference_after_transmit),
		cmocka_unit_test(test_check_reply_precision_tolerance_is_bounded),
		cmocka_unit_test(test_check_reply_negative_delay_with_huge_precision),
		cmocka_unit_test(test_check_reply_rejects_negative_delay),
		cmocka_unit_test(test_check_reply_negative_delay_below_precision_is_noise),
		cmocka_unit_test(test_check_reply_rejects_root_dispersion_2s),
		cmocka_unit_test(test_check_reply_rejects_root_delay_4s),
		cmocka_unit_test(test_check_reply_root_distance_just_below_limit),
		cmocka_unit_test(test_check_reply_server_root_distance_limit),
		cmocka_unit_test(test_check_reply_slow_sample_is_the_samples_fault),
		cmocka_unit_test(test_check_reply_kod_with_wrong_origin_is_bogus),
		cmocka_unit_test(test_check_reply_stratum_16_with_wrong_origin_is_bogus),
		cmocka_unit_test(test_check_reply_stratum_16_with_leap_alarm_is_stratum_high),
		cmocka_unit_test(test_check_reply_fills_timestamps_of_rejected_reply),
		cmocka_unit_test(test_verdict_is_server_state),
		cmocka_unit_test(test_verdict_name_and_why_for_every_value),
		cmocka_unit_test(test_verdict_names_are_ntpdates_words),
		cmocka_unit_test(test_verdict_out_of_range_is_question_mark),
		cmocka_unit_test(test_timespec_unix_epoch),
		cmocka_unit_test(test_timespec_era_1_starts_2036),
		cmocka_unit_test(test_timespec_range_limits),
		cmocka_unit_test(test_timespec_half_second),
		cmocka_unit_test(test_timespec_rounds_1ns),
		cmocka_unit_test(test_timespec_999999999ns_round_trips),
		cmocka_unit_test(test_to_timespec_fraction_carries_into_next_second),
		cmocka_unit_test(test_timespec_2038),
		cmocka_unit_test(test_timespec_negative_time_t),
		cmocka_unit_test(test_diff_across_era_wrap),
		cmocka_unit_test(test_diff_negative),
		cmocka_unit_test(test_diff_extremes),
		cmocka_unit_test(test_half_sum_int64_max_does_not_overflow),
		cmocka_unit_test(test_half_sum_int64_min),
		cmocka_unit_test(test_half_sum_int64_min_plus_int64_max),
		cmocka_unit_test(test_half_sum_int64_min_plus_1),
		cmocka_unit_test(test_half_sum_same_signs_round_toward_zero),
		cmocka_unit_test(test_half_sum_mixed_signs),
		cmocka_unit_test(test_half_sum_mixed_signs_round_toward_zero),
		cmocka_unit_test(test_short_to_dur),
		cmocka_unit_test(test_precision_to_dur),
		cmocka_unit_test(test_dur_to_timespec_positive),
		cmocka_unit_test(test_dur_to_timespec_negative),
		cmocka_unit_test(test_timespec_add_carries),
		cmocka_unit_test(test_timespec_add_negative),
		cmocka_unit_test(test_dur_to_double),
		cmocka_unit_test(test_best_sample_lowest_delay),
		cmocka_unit_test(test_best_sample_first_on_ties),
		cmocka_unit_test(test_select_marks_liar_falseticker),
		cmocka_unit_test(test_select_two_disagreeing_chooses_nothing),
		cmocka_unit_test(test_select_two_agreeing),
		cmocka_unit_test(test_select_four_split_two_two_chooses_nothing),
		cmocka_unit_test(test_select_five_with_two_liars),
		cmocka_unit_test(test_select_chain_has_no_majority),
		cmocka_unit_test(test_select_stratum_beats_root_distance),
		cmocka_unit_test(test_select_root_distance_beats_delay),
		cmocka_unit_test(test_select_delay_breaks_tie),
		cmocka_unit_test(test_select_one_server),
		cmocka_unit_test(test_select_overlapping_intervals_are_truechimers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keyfile.c - symmetric keys from the key files of ntp 4.2.8 (ntp.keys(5)),
 * NTPsec (ntp.keys(5)) and chrony (chrony.conf(5), keyfile).  One line:
 *
 *	ID TYPE KEY	ntp 4.2.8, NTPsec, chrony
 *	ID KEY		chrony (TYPE defaults to MD5)
 *
 * A line is read the chrony way when chrony alone could have written it:
 * no TYPE, TYPE AES128, or a KEY with chrony's HEX: or ASCII: prefix.
 * Then an unprefixed KEY is ASCII and the id may be any 32-bit number.
 * Any other line follows ntp 4.2.8 and NTPsec: a KEY of up to 20
 * characters is ASCII, a longer one hex, and the id is 1..65535.
 *
 * '#' starts a comment (ntp, NTPsec); a line whose first character is
 * one of ! ; % is a comment too (chrony).  ntpd cuts a key at a '#' in
 * it and chrony does not: rather than pick one key of two, a '#' inside
 * a field is an error.
 *
 * The parser is pure; keyfile_load() is the only function that does I/O.
 * A reason names the line and what is wrong with it, never a key byte:
 * the text of an unknown type is not repeated either, since a key in the
 * wrong column would land there.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fmt.h"
#include "keyfile.h"
#include "savefile.h"

/* ID TYPE KEY: a fourth field is an error. */
#define FIELDS_MAX	3
/* chrony's prefixes before a key. */
#define PREFIX_HEX	"HEX:"
#define PREFIX_ASCII	"ASCII:"
#define ERR_TYPES	"ntpsync has MD5, SHA1 and AES-128-CMAC"

struct field {
	const char	*p;
	size_t		 n;
};

/* The names of the MACs ntpsync has, in every dialect, in place. */
static const struct {
	char		 name[sizeof("AES128CMAC")];
	unsigned char	 type;		/* enum mac_type */
	unsigned char	 chrony;	/* only chrony writes it */
} mac_names[] = {
	{ "MD5",	MAC_MD5,	 0 },	/* all three */
	{ "M",		MAC_MD5,	 0 },	/* NTPv3 files; ntp 4.2.8 reads it */
	{ "SHA1",	MAC_SHA1,	 0 },	/* all three */
	{ "SHA-1",	MAC_SHA1,	 0 },	/* NTPsec's alias */
	{ "AES128CMAC",	MAC_AES128_CMAC, 0 },	/* ntp 4.2.8p11 and later */
	{ "AES-128",	MAC_AES128_CMAC, 0 },	/* NTPsec (-cbc/CMAC implied) */
	{ "AES",	MAC_AES128_CMAC, 0 },	/* NTPsec's alias for aes-128 */
	{ "AES128",	MAC_AES128_CMAC, 1 },	/* chrony */
};

/*
 * Types people have in their files that ntpsync does not do (yet): short
 * names in place, where a pointer each would cost more than the longest.
 */
static const char unsupported[][sizeof("AES256CMAC")] = {
	"SHA224", "SHA256", "SHA384", "SHA512", "SHA3-224", "SHA3-256",
	"SHA3-384", "SHA3-512", "RMD160", "RIPEMD160", "AES-192", "AES192",
	"AES-256", "AES256", "AES256CMAC", "TIGER", "SHA", "SHA-256",
};

static int
field_is(const struct field *f, const char *name)
{
	return (f->n == strlen(name) && strncasecmp(f->p, name, f->n) == 0);
}

static int
has_prefix(const struct field *f, const char *prefix)
{
	size_t n = strlen(prefix);

	return (f->n >= n && memcmp(f->p, prefix, n) == 0);
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* NULL when the hex digits at p decode into k, else the reason. */
static const char *
decode_hex(const char *p, size_t n, struct ntp_key *k)
{
	size_t i;
	int hi, lo;

	if (n == 0)
		return ("missing key after HEX:");
	if (n % 2 != 0)
		return ("the key has an odd number of hex digits");
	if (n / 2 > KEY_BYTES_MAX)
		return ("the key is longer than 32 bytes");
	for (i = 0; i < n; i += 2) {
		hi = hex_value(p[i]);
		lo = hex_value(p[i + 1]);
		if (hi < 0 || lo < 0)
			return ("the key is not hex (a key longer than 20 "
			    "characters is hex; in chrony's keyfile write "
			    "ASCII: before an ASCII one)");
		k->bytes[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	k->len = n / 2;
	return (NULL);
}

static const char *
copy_ascii(const char *p, size_t n, struct ntp_key *k)
{
	if (n == 0)
		return ("missing key after ASCII:");
	if (n > KEY_BYTES_MAX)
		return ("the key is longer than 32 bytes");
	memcpy(k->bytes, p, n);
	k->len = n;
	return (NULL);
}

/*
 * Splits a line into at most FIELDS_MAX fields.  Returns the number of
 * fields, or -1 with *why set.
 */
static int
split(const char *s, size_t n, struct field *f, const char **why)
{
	size_t i = 0, start;
	int nf = 0;

	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
		    s[i] == '\v' || s[i] == '\f'))
			i++;
		if (i == n || s[i] == '#')
			break;
		/* chrony's comment characters, at the start of a line only. */
		if (nf == 0 && (s[i] == '!' || s[i] == ';' || s[i] == '%'))
			break;
		if (nf == FIELDS_MAX) {
			*why = "more than three fields (ID TYPE KEY; ntpd's "
			    "address list after the key is not supported)";
			return (-1);
		}
		start = i;
		while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' &&
		    s[i] != '\v' && s[i] != '\f') {
			if (s[i] == '#') {
				*why = "'#' inside a field (ntpd would cut the "
				    "key there, chrony would not: put a space "
				    "before a comment)";
				return (-1);
			}
			if ((unsigned char)s[i] < 0x21 ||
			    (unsigned char)s[i] > 0x7e) {
				*why = "a byte that is not printable ASCII";
				return (-1);
			}
			i++;
		}
		f[nf].p = s + start;
		f[nf].n = i - start;
		nf++;
	}
	return (nf);
}

/* NULL with *id set, else the reason. */
static const char *
parse_id(const struct field *f, uint32_t *id)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (f->p[i] < '0' || f->p[i] > '9')
			return ("the key id is not a number");
		v = v * 10 + (uint64_t)(f->p[i] - '0');
		if (v > UINT32_MAX)
			return ("the key id is larger than 4294967295");
	}
	if (v == 0)
		return ("key id 0 is reserved (a server's crypto-NAK)");
	*id = (uint32_t)v;
	return (NULL);
}

static const char *
parse_type(const struct field *f, enum mac_type *type, int *chrony)
{
	size_t i;

	for (i = 0; i < sizeof(mac_names) / sizeof(mac_names[0]); i++)
		if (field_is(f, mac_names[i].name)) {
			*type = (enum mac_type)mac_names[i].type;
			*chrony = mac_names[i].chrony;
			return (NULL);
		}
	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (field_is(f, unsupported[i]))
			return ("unsupported MAC type (" ERR_TYPES ")");
	return ("unknown MAC type (" ERR_TYPES ")");
}

/* Whether f names a MAC, one that ntpsync has or not. */
static int
is_type_name(const struct field *f)
{
	size_t i;

	for (i = 0; i < sizeof(mac_names) / sizeof(mac_names[0]); i++)
		if (field_is(f, mac_names[i].name))
			return (1);
	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (field_is(f, unsupported[i]))
			return (1);
	return (0);
}

/*
 * One line into *k.  Returns 1 for a key, 0 for a blank or comment line,
 * -1 with *why set.  Only k->bytes ever holds key material.
 */
static int
parse_line(const char *s, size_t n, struct ntp_key *k, const char **why)
{
	struct field f[FIELDS_MAX];
	const struct field *key;
	int nf, chrony = 0;

	nf = split(s, n, f, why);
	if (nf <= 0)
		return (nf);
	if ((*why = parse_id(&f[0], &k->id)) != NULL)
		return (-1);
	if (nf == 1) {
		*why = "missing key (ID TYPE KEY)";
		return (-1);
	}
	if (nf == 2) {
		/*
		 * chrony's ID KEY: MD5.  A type name there is a line whose key
		 * is missing rather than a key that happens to be "MD5".
		 */
		if (is_type_name(&f[1])) {
			*why = "missing key (ID TYPE KEY)";
			return (-1);
		}
		k->type = MAC_MD5;
		chrony = 1;
		key = &f[1];
	} else {
		if ((*why = parse_type(&f[1], &k->type, &chrony)) != NULL)
			return (-1);
		key = &f[2];
	}

	if (has_prefix(key, PREFIX_HEX))
		*why = decode_hex(key->p + strlen(PREFIX_HEX),
		    key->n - strlen(PREFIX_HEX), k);
	else if (has_prefix(key, PREFIX_ASCII))
		*why = copy_ascii(key->p + strlen(PREFIX_ASCII),
		    key->n - strlen(PREFIX_ASCII), k);
	else if (chrony || key->n <= KEY_ASCII_MAX)
		*why = copy_ascii(key->p, key->n, k);
	else
		*why = decode_hex(key->p, key->n, k);
	if (*why != NULL)
		return (-1);
	if (has_prefix(key, PREFIX_HEX) || has_prefix(key, PREFIX_ASCII))
		chrony = 1;

	if (!chrony && k->id > KEY_ID_NTP_MAX) {
		*why = "the key id is larger than 65535 (a chrony keyfile line, "
		    "with HEX: or ASCII: before the key, may have 32-bit ids)";
		return (-1);
	}
	if (k->type == MAC_AES128_CMAC && k->len != MAC_CMAC_KEY_LEN) {
		*why = "AES-128-CMAC needs a key of 16 bytes (32 hex digits)";
		return (-1);
	}
	return (1);
}

enum keyfile_result
keyfile_parse(const char *text, size_t len, uint32_t id, struct ntp_key *key,
    char *err, size_t errlen)
{
	struct ntp_key k;
	const char *why = NULL, *nl;
	size_t pos = 0, lineno = 0, found_on = 0, n;
	int r = 0;

	memset(key, 0, sizeof(*key));
	memset(&k, 0, sizeof(k));
	while (pos < len) {
		lineno++;
		nl = memchr(text + pos, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		r = parse_line(text + pos, n, &k, &why);
		pos += n + 1;
		if (r < 0)
			break;
		if (r == 1 && k.id == id) {
			if (found_on != 0) {
				r = -1;
				why = NULL;
				break;
			}
			found_on = lineno;
			*key = k;
		}
		key_wipe(&k);
	}
	key_wipe(&k);
	if (r < 0 && why == NULL) {
		key_wipe(key);
		str_fmt(err, errlen, "line %zu: key %u is also on line %zu",
		    lineno, (unsigned)id, found_on);
		return (KEYFILE_ERROR);
	}
	if (r < 0) {
		key_wipe(key);
		str_fmt(err, errlen, "line %zu: %s", lineno, why);
		return (KEYFILE_ERROR);
	}
	if (found_on == 0) {
		str_fmt(err, errlen, "key %u is not in the file", (unsigned)id);
		return (KEYFILE_NOT_FOUND);
	}
	return (KEYFILE_FOUND);
}

enum keyfile_result
keyfile_load(const char *path, uint32_t id, struct ntp_key *key,
    int *world_readable, char *err, size_t errlen)
{
	/* One byte more than allowed: a larger file shows itself. */
	char buf[KEYFILE_SIZE_MAX + 1];
	enum keyfile_result res;
	struct stat st;
	size_t len;
	int fd, e;

	*world_readable = 0;
	memset(key, 0, sizeof(*key));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		str_fmt(err, errlen, "%s: %s", path, strerror(errno));
		return (KEYFILE_ERROR);
	}
	if (fstat(fd, &st) == -1) {
		e = errno;
		close(fd);
		str_fmt(err, errlen, "%s: %s", path, strerror(e));
		return (KEYFILE_ERROR);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		str_fmt(err, errlen, "%s: not a regular file", path);
		return (KEYFILE_ERROR);
	}
	*world_readable = (st.st_mode & S_IROTH) != 0;
	e = read_upto(fd, buf, sizeof(buf), &len);
	close(fd);
	if (e != 0) {
		explicit_bzero(buf, len);
		str_fmt(err, errlen, "%s: %s", path, strerror(e));
		return (KEYFILE_ERROR);
	}
	if (len > KEYFILE_SIZE_MAX) {
		explicit_bzero(buf, len);
		str_fmt(err, errlen, "%s: larger than %d bytes: not a key file",
		    path, KEYFILE_SIZE_MAX);
		return (KEYFILE_ERROR);
	}
	/* The reason gets the file's name in front of the line number. */
	res = keyfile_parse(buf, len, id, key, err, errlen);
	explicit_bzero(buf, len);
	if (res != KEYFILE_FOUND) {
		char why[256];

		str_fmt(why, sizeof(why), "%s", err);
		str_fmt(err, errlen, "%s: %s", path, why);
	}
	return (res);
}

const char *
mac_name(enum mac_type t)
{
	switch (t) {
	case MAC_MD5:
		return ("MD5");
	case MAC_SHA1:
		return ("SHA1");
	case MAC_AES128_CMAC:
		return ("AES128CMAC");
	}
	return ("?");
}

void
key_wipe(struct ntp_key *key)
{
	/* explicit_bzero: a store the optimizer may not remove as dead. */
	explicit_bzero(key, sizeof(*key));
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keyfile.h - symmetric keys (RFC 5905 MAC, RFC 8573 AES-CMAC) read from
 * the key files of ntp 4.2.8, NTPsec and chrony.  The parser takes bytes
 * and gives a key or a reason; only keyfile_load() touches a file.
 * Nothing here prints, and no reason ever holds key material.
 */
#ifndef NTPSYNC_KEYFILE_H
#define NTPSYNC_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "mac.h"	/* the MAC types and their lengths */

/* ntp 4.2.8 and NTPsec: key ids 1..65535; chrony's are 32-bit. */
#define KEY_ID_NTP_MAX		65535u
/* ntp 4.2.8 and NTPsec: a key of this many characters or fewer is ASCII. */
#define KEY_ASCII_MAX		20
/* NTPsec's limit on a key, after hex decoding (ntp 4.2.8 has the same). */
#define KEY_BYTES_MAX		32
/* A key file larger than this is not a key file (keyfile_load). */
#define KEYFILE_SIZE_MAX	16384

struct ntp_key {
	uint32_t	 id;
	enum mac_type	 type;
	size_t		 len;
	uint8_t		 bytes[KEY_BYTES_MAX];
};

enum keyfile_result {
	KEYFILE_FOUND,		/* *key holds it */
	KEYFILE_NOT_FOUND,	/* the file is good, the id is not in it */
	KEYFILE_ERROR		/* err says why (a bad line: with its number) */
};

/*
 * Checks every line of the len bytes at text and copies the key whose id
 * is id into *key.  A bad line anywhere fails the whole file, whichever
 * key is asked for, so that an error does not come and go with -a.
 */
enum keyfile_result keyfile_parse(const char *text, size_t len, uint32_t id,
	    struct ntp_key *key, char *err, size_t errlen);
/*
 * Reads path and calls keyfile_parse().  *world_readable is set when
 * others may read the file (the caller warns).  Missing, unreadable,
 * not a regular file or larger than KEYFILE_SIZE_MAX: KEYFILE_ERROR.
 */
enum keyfile_result keyfile_load(const char *path, uint32_t id,
	    struct ntp_key *key, int *world_readable, char *err, size_t errlen);
/* A MAC type's name, as the key files spell it, for -d and -j. */
const char *mac_name(enum mac_type t);
/* Wipes a key so that the compiler cannot leave the store out. */
void	key_wipe(struct ntp_key *key);

#endif /* NTPSYNC_KEYFILE_H */

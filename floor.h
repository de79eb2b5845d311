/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor.h - the time floor (-F FILE): the time of the last good sync,
 * kept across boots for a board without a battery-backed clock, as
 * fake-hwclock does.  One line of text, the seconds since 1970 and the
 * same second as a UTC date, so that a person can read it and a damaged
 * file is noticed (the two must agree), then the kernel's id of the boot
 * that saved it, which tells a later run whether a sync has been saved
 * since this boot:
 *
 *	1795600800 2026-11-25T10:00:00Z 3f1c2a9e-5b7d-4c1e-9a0b-6d2e8f4a1c3b
 *
 * A line without the id (a file another tool wrote) is taken too, as
 * another boot's.
 *
 * floor_parse() and floor_format() are pure; floor_load() and floor_save()
 * are the file's edges.
 */
#ifndef NTPSYNC_FLOOR_H
#define NTPSYNC_FLOOR_H

#include <stddef.h>
#include <stdint.h>

/* The line, its newline and room for a final one missing or added. */
#define FLOOR_LINE_MAX		80
/* Linux's random boot id: a UUID, 36 characters, and a NUL. */
#define FLOOR_BOOT_ID_FILE	"/proc/sys/kernel/random/boot_id"
#define FLOOR_BOOT_ID_LEN	37
/* "2026-11-25T10:00:00Z" and its NUL */
#define FLOOR_DATE_LEN		24
/*
 * A floor is a time this binary has seen, so it lies within the life of
 * the firmware that carries it: 20 years after the build date is more
 * than any board lives without an update.  A later one is a damaged or
 * forged file, and trusting it would be far worse than losing it: the
 * clock would be stepped into the future and every honest server refused
 * as a rollback.  Without it the run falls back to the build date.
 */
#define FLOOR_AHEAD_MAX		((int64_t)20 * 36525 * 864)	/* 20 years, s */
/* The last second of unsigned 32-bit time (2106-02-07T06:28:15Z). */
#define FLOOR_SECONDS_MAX	4294967295LL
#define FLOOR_ERR_LEN		256

/* sec as "2026-11-25T10:00:00Z" into buf (FLOOR_DATE_LEN). */
const char *floor_date(int64_t sec, char *buf, size_t len);
/*
 * The file's line for sec and boot_id ("" for none) into buf: its length,
 * 0 if buf is short.
 */
size_t	floor_format(int64_t sec, const char *boot_id, char *buf, size_t cap);
/*
 * The saved time and boot id in text (len bytes) into *sec and boot_id
 * (FLOOR_BOOT_ID_LEN; "" when the line has none): 0, or -1 with why (a
 * damaged line, or a time more than FLOOR_AHEAD_MAX after build_epoch).
 */
int	floor_parse(const char *text, size_t len, int64_t build_epoch,
	    int64_t *sec, char *boot_id, char *why, size_t whylen);
int	floor_fresh_boot(int64_t floor, const char *saved_id,
	    const char *boot_id);

/* 0, 1 when there is no such file yet, or -1 with err naming the file. */
int	floor_load(const char *path, int64_t build_epoch, int64_t *sec,
	    char *boot_id, char *err, size_t errlen);
/* Replaces the file with sec and boot_id (mode 0644): 0, or -1 with errno. */
int	floor_save(const char *path, int64_t sec, const char *boot_id);
/* This boot's id into id (FLOOR_BOOT_ID_LEN), "" where the kernel has none. */
void	floor_boot_id(char *id);

#endif /* NTPSYNC_FLOOR_H */

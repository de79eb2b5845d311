/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * savefile.h - a small file replaced whole or not at all: the NTS cookie
 * jar (-C) and the time floor (-F) are both written this way; they and
 * the key file (-k) are read back whole with read_upto().
 */
#ifndef NTPSYNC_SAVEFILE_H
#define NTPSYNC_SAVEFILE_H

#include <sys/types.h>

#include <stddef.h>

/*
 * len bytes of buf to PATH.tmp (created with mode, never through a link),
 * synced, then renamed over PATH: a crash leaves the old file or the new
 * one.  Returns 0, or -1 with errno.
 */
int	save_file(const char *path, const void *buf, size_t len, mode_t mode);
/*
 * fd into buf until its end or cap bytes (a file that fills buf may be
 * longer), again after a signal.  *len is what was read, after an error
 * too, so that a caller can wipe it.  Returns 0 or an errno value.
 */
int	read_upto(int fd, void *buf, size_t cap, size_t *len);

#endif /* NTPSYNC_SAVEFILE_H */

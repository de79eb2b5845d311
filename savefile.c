/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * savefile.c - see savefile.h.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "fmt.h"
#include "savefile.h"

#define PATH_LEN	4096

int
save_file(const char *path, const void *buf, size_t len, mode_t mode)
{
	const char *p = buf;
	char tmp[PATH_LEN];
	size_t off = 0;
	ssize_t w;
	int fd, e;

	if (str_fmt(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* A temporary file left by a crash is ours to replace. */
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW |
	    O_NOCTTY, mode);
	if (fd == -1)
		return -1;
	while (off < len) {
		w = write(fd, p + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off != len || fsync(fd) == -1) {
		e = off != len && errno == 0 ? EIO : errno;
		close(fd);
		(void)unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		e = errno;
		(void)unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

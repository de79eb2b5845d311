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
	int fd, e = 0;

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
	/* A write of nothing (a full device may do that) is an I/O error. */
	while (off < len && e == 0) {
		if ((w = write(fd, p + off, len - off)) > 0)
			off += (size_t)w;
		else if (w == 0)
			e = EIO;
		else if (errno != EINTR)
			e = errno;
	}
	if (e == 0 && fsync(fd) == -1)
		e = errno;
	if (close(fd) == -1 && e == 0)
		e = errno;
	if (e == 0 && rename(tmp, path) == -1)
		e = errno;
	if (e != 0) {
		(void)unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

int
read_upto(int fd, void *buf, size_t cap, size_t *len)
{
	ssize_t r;

	*len = 0;
	while (*len < cap) {
		if ((r = read(fd, (char *)buf + *len, cap - *len)) > 0)
			*len += (size_t)r;
		else if (r == 0)
			break;
		else if (errno != EINTR)
			return errno;
	}
	return 0;
}

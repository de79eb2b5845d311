/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/nosetgroups.c - LD_PRELOADed into OpenNTPD by tests/servers.sh.
 * Its privilege separation calls setgroups(), which the sandbox's user
 * namespace refuses (unshare --map-root-user must write "deny" to
 * /proc/PID/setgroups), and then it exits.  In the sandbox only uid and
 * gid 0 exist anyway, so dropping the supplementary groups changes
 * nothing: succeed without doing it.  Nothing else is replaced.
 */
#include <grp.h>
#include <stddef.h>

int
setgroups(size_t n, const gid_t *list)
{
	(void)n;
	(void)list;
	return 0;
}

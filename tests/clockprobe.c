/* clockprobe: prove that this process cannot change the system clock.
 *
 * Used by tests/sandbox.sh before it runs anything that might call the clock-setting
 * syscalls (ntpsync, chronyd, ntpd). Exit 0 only if every clock-setting call is refused
 * with EPERM.
 *
 * Step 1 is raw settimeofday(NULL, NULL): on Linux it performs only the CAP_SYS_TIME
 * check and changes nothing even where it is allowed. If it succeeds we are not in a
 * sandbox and nothing else is tried. Only after it failed with EPERM are the other calls
 * tried, each with arguments that would leave the clock as it is anyway.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

static int refused(const char *what, long rc)
{
    if (rc != -1) {
        fprintf(stderr, "clockprobe: NOT SANDBOXED: %s succeeded; the clock is NOT protected\n",
                what);
        return 0;
    }
    if (errno != EPERM) {
        fprintf(stderr, "clockprobe: %s failed with %s instead of EPERM; refusing to continue\n",
                what, strerror(errno));
        return 0;
    }
    return 1;
}

int main(void)
{
    long rc;
    struct timespec now;
    struct timeval zero = {0, 0};
    struct timex tx;

    errno = 0;
    rc = syscall(SYS_settimeofday, NULL, NULL);
    if (rc == 0) {
        fprintf(stderr, "clockprobe: NOT SANDBOXED: settimeofday(NULL, NULL) succeeded; "
                        "refusing to continue\n");
        return 1;
    }
    if (!refused("settimeofday(NULL, NULL)", rc))
        return 1;

    if (clock_gettime(CLOCK_REALTIME, &now) != 0) {
        perror("clockprobe: clock_gettime");
        return 1;
    }
    errno = 0;
    if (!refused("clock_settime(CLOCK_REALTIME, now)", clock_settime(CLOCK_REALTIME, &now)))
        return 1;

    errno = 0;
    if (!refused("adjtime({0, 0}, NULL)", adjtime(&zero, NULL)))
        return 1;

    memset(&tx, 0, sizeof tx);
    tx.modes = ADJ_OFFSET_SINGLESHOT;
    tx.offset = 0;
    errno = 0;
    rc = syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx);
    if (!refused("clock_adjtime(CLOCK_REALTIME, ADJ_OFFSET_SINGLESHOT 0)", rc))
        return 1;

    printf("clockprobe: clock is protected "
           "(EPERM on settimeofday, clock_settime, adjtime, clock_adjtime)\n");
    return 0;
}

/*
 * ticker MS
 *
 * Runs in a test domU (started by its init when the kernel command line
 * says ticker=MS).  Wakes every MS milliseconds and measures, on the
 * guest's monotonic clock, how long it really slept: a wake-up late by
 * far more than MS means the guest did not run meanwhile (it was paused,
 * or suspended and migrated).  Each such gap goes to the console:
 *
 *   TICK-GAP us=N
 *
 * with N the time between the two wake-ups, in microseconds.  Gaps of
 * less than 5 periods are scheduling noise and are not reported.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
    long ms = argc == 2 ? strtol(argv[1], NULL, 0) : 0;
    struct timespec period;
    uint64_t last, t;

    if ( ms <= 0 || ms >= 1000 )
    {
        fprintf(stderr, "usage: ticker MS (1-999)\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    period.tv_sec = 0;
    period.tv_nsec = ms * 1000000L;

    printf("TICK-READY period_ms=%ld\n", ms);
    for ( last = now_us(); ; last = t )
    {
        nanosleep(&period, NULL);
        t = now_us();
        if ( t - last >= 5 * 1000ULL * ms )
            printf("TICK-GAP us=%" PRIu64 "\n", t - last);
    }
}

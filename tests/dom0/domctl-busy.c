/*
 * domctl-busy CPU SECONDS
 *
 * Runs in the test dom0.  Keeps dom0's vCPU CPU inside domctls for
 * SECONDS: XEN_DOMCTL_getpageframeinfo3 over 1024 of dom0's own frames,
 * back to back.  Every domctl holds the caller domain's
 * hypercall_deadlock_mutex, which is what a live update's exec, on
 * another vCPU, must wait for rather than crash on.
 *
 * Prints "DOMCTL-BUSY N calls" when done; exits 0, or 2 on an error.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>

#include <xenctrl.h>

/* Exported by libxenctrl, declared only in its private header. */
int xc_get_pfn_type_batch(xc_interface *xch, uint32_t dom,
                          unsigned int num, xen_pfn_t *arr);

int main(int argc, char **argv)
{
    enum { BATCH = 1024 };
    xen_pfn_t frames[BATCH];
    unsigned long calls = 0;
    cpu_set_t cpus;
    xc_interface *xch;
    time_t end;
    unsigned int i;

    if ( argc != 3 )
    {
        fprintf(stderr, "usage: domctl-busy CPU SECONDS\n");
        return 2;
    }

    CPU_ZERO(&cpus);
    CPU_SET(atoi(argv[1]), &cpus);
    if ( sched_setaffinity(0, sizeof(cpus), &cpus) )
    {
        fprintf(stderr, "domctl-busy: CPU %s: %s\n", argv[1],
                strerror(errno));
        return 2;
    }

    xch = xc_interface_open(NULL, NULL, 0);
    if ( !xch )
    {
        fprintf(stderr, "domctl-busy: cannot open libxenctrl\n");
        return 2;
    }

    end = time(NULL) + atol(argv[2]);
    while ( time(NULL) < end )
    {
        /* Frames of dom0's first 4 MiB: a PV domain's own, mostly. */
        for ( i = 0; i < BATCH; i++ )
            frames[i] = 0x1000 + i;
        if ( xc_get_pfn_type_batch(xch, 0, BATCH, frames) )
        {
            fprintf(stderr, "domctl-busy: getpageframeinfo3: %s\n",
                    strerror(errno));
            return 2;
        }
        calls++;
    }

    printf("DOMCTL-BUSY %lu calls\n", calls);
    xc_interface_close(xch);

    return 0;
}

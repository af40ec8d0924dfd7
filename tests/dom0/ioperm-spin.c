/*
 * ioperm-spin SECONDS: take an I/O port (ioperm(0x80)) and spin for
 * SECONDS.  Under a PV dom0, Linux gives Xen the I/O port bitmap of the
 * task it runs (PHYSDEVOP_set_iobitmap): while this spins on a vCPU, that
 * vCPU has one, which a live update cannot carry over yet.
 *
 * Prints "IOPERM-SPIN running" once it holds the port; exits 0, or 2 if
 * ioperm() fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <time.h>

int main(int argc, char **argv)
{
    time_t end = time(NULL) + (argc > 1 ? atoi(argv[1]) : 30);

    if ( ioperm(0x80, 1, 1) )
    {
        perror("ioperm");
        return 2;
    }
    printf("IOPERM-SPIN running\n");
    fflush(stdout);
    while ( time(NULL) < end )
        ;

    return 0;
}

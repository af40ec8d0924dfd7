/*
 * ymm-hold: keep a pattern in AVX registers (the upper halves of ymm8 and
 * ymm9 included), and check it again and again, until SIGUSR1.  Run it on
 * a vCPU other than the one that asks for a live update: when the update
 * pauses that vCPU, the pattern is in its registers, which Xen saves with
 * XSAVE and the next Xen must load again.
 *
 * The pattern comes from a seed, the first argument (default 0x5a), so
 * that processes holding patterns of their own can tell them apart.
 *
 * Prints "YMM-HOLD holding" as it starts holding the pattern, then at
 * the end "YMM-HOLD ok <checks> checks", or "YMM-HOLD lost after <checks>
 * checks" (exit 1), or "YMM-HOLD no AVX" (exit 2).
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static volatile sig_atomic_t stop;

static void on_usr1(int sig)
{
    stop = 1;
}

/*
 * Load the pattern, then check it @rounds times without leaving the asm:
 * nothing of the program's own touches the registers meanwhile.  Returns
 * the rounds left when the pattern was lost, 0 if it held.
 */
static uint64_t hold(const uint8_t pattern[64], uint64_t rounds)
{
    asm volatile ( "vmovdqu (%[p]), %%ymm8\n\t"
                   "vmovdqu 32(%[p]), %%ymm9\n\t"
                   "1:\n\t"
                   "vxorps (%[p]), %%ymm8, %%ymm0\n\t"
                   "vxorps 32(%[p]), %%ymm9, %%ymm1\n\t"
                   "vorps %%ymm1, %%ymm0, %%ymm0\n\t"
                   "vptest %%ymm0, %%ymm0\n\t"
                   "jnz 2f\n\t"
                   "dec %[rounds]\n\t"
                   "jnz 1b\n\t"
                   "2:\n\t"
                   "vzeroupper"
                   : [rounds] "+r" (rounds)
                   : [p] "r" (pattern)
                   : "xmm0", "xmm1", "xmm8", "xmm9", "cc", "memory" );

    return rounds;
}

int main(int argc, char *argv[])
{
    unsigned int seed = argc > 1 ? strtoul(argv[1], NULL, 0) : 0x5a;
    uint8_t pattern[64];
    unsigned long checks = 0;
    unsigned int i;

    __builtin_cpu_init();
    if ( !__builtin_cpu_supports("avx") )
    {
        printf("YMM-HOLD no AVX\n");
        return 2;
    }
    for ( i = 0; i < sizeof(pattern); i++ )
        pattern[i] = seed ^ (i * 37);
    signal(SIGUSR1, on_usr1);

    printf("YMM-HOLD holding\n");
    fflush(stdout);
    while ( !stop )
    {
        if ( hold(pattern, 1000000) )
        {
            printf("YMM-HOLD lost after %lu checks\n", checks);
            return 1;
        }
        checks += 1000000;
    }
    printf("YMM-HOLD ok %lu checks\n", checks);

    return 0;
}

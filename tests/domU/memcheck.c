/*
 * memcheck MIB [write]
 *
 * Runs in a test domU (started by its init when the kernel command line
 * says memcheck=MIB).  Fills MIB MiB of locked memory with a known
 * pattern, takes its checksum, and tells the console:
 *
 *   MEMCHECK-READY sum=S pfns=FIRST-LAST
 *
 * where FIRST-LAST is the longest run of the buffer's guest frames that
 * are contiguous, for the test in dom0 to find the machine pages under
 * the buffer.  Then, every second, it sums the buffer again and says
 *
 *   MEMCHECK-OK pass=N        or        MEMCHECK-BAD pass=N pages=K
 *
 * where K counts the pages that no longer hold the pattern.  A page
 * moved to another machine frame under the guest must never show up.
 *
 * With "write" (memwrite=MIB on the kernel command line), it does not
 * sleep: each pass checks every word for the value the last pass wrote
 * and writes the next, so a write lost while a page moves shows up.  It
 * reports a pass a second, and every pass that finds a page wrong.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE_SIZE 4096
#define WORDS_PER_PAGE (PAGE_SIZE / sizeof(uint64_t))
#define PFN_MASK ((1ULL << 55) - 1)
#define PAGE_PRESENT (1ULL << 63)

static uint64_t pattern(uint64_t word)
{
    return (word + 1) * 0x9e3779b97f4a7c15ULL;
}

/* What a write pass @gen leaves in word @word; pass 0 is the pattern. */
static uint64_t stamp(uint64_t word, uint64_t gen)
{
    return pattern(word) ^ (gen * 0xff51afd7ed558ccdULL);
}

/* Check that pass @gen - 1 left its stamp, and leave pass @gen's. */
static uint64_t write_pass(uint64_t *buf, uint64_t pages, uint64_t gen)
{
    uint64_t p, w, i, bad = 0;
    int page_bad;

    for ( p = 0; p < pages; p++ )
    {
        page_bad = 0;
        for ( w = 0; w < WORDS_PER_PAGE; w++ )
        {
            i = p * WORDS_PER_PAGE + w;
            page_bad |= buf[i] != stamp(i, gen - 1);
            buf[i] = stamp(i, gen);
        }
        bad += page_bad;
    }
    return bad;
}

static void write_loop(uint64_t *buf, uint64_t pages)
{
    time_t last = time(NULL);
    uint64_t gen, bad;

    for ( gen = 1; ; gen++ )
    {
        bad = write_pass(buf, pages, gen);
        if ( bad )
            printf("MEMCHECK-BAD pass=%" PRIu64 " pages=%" PRIu64 "\n",
                   gen, bad);
        else if ( time(NULL) != last )
            printf("MEMCHECK-OK pass=%" PRIu64 "\n", gen);
        last = time(NULL);
    }
}

static uint64_t checksum(const uint64_t *buf, uint64_t words)
{
    uint64_t i, sum = 0;

    for ( i = 0; i < words; i++ )
        sum = (sum ^ buf[i]) * 0x100000001b3ULL;
    return sum;
}

static uint64_t bad_pages(const uint64_t *buf, uint64_t pages)
{
    uint64_t p, w, i, bad = 0;

    for ( p = 0; p < pages; p++ )
        for ( w = 0; w < WORDS_PER_PAGE; w++ )
        {
            i = p * WORDS_PER_PAGE + w;
            if ( buf[i] != pattern(i) )
            {
                bad++;
                break;
            }
        }
    return bad;
}

/* The longest run of consecutive guest frames under the buffer. */
static int longest_pfn_run(const void *buf, uint64_t pages,
                           uint64_t *first, uint64_t *last)
{
    int fd = open("/proc/self/pagemap", O_RDONLY);
    uint64_t p, e, start = 0, prev = 0, len = 0, best = 0;

    if ( fd < 0 )
        return -1;
    for ( p = 0; p < pages; p++ )
    {
        off_t off = ((uintptr_t)buf / PAGE_SIZE + p) * sizeof(e);

        if ( pread(fd, &e, sizeof(e), off) != sizeof(e) ||
             !(e & PAGE_PRESENT) || !(e & PFN_MASK) )
        {
            close(fd);
            return -1;
        }
        e &= PFN_MASK;
        if ( len && e == prev + 1 )
            len++;
        else
        {
            start = e;
            len = 1;
        }
        prev = e;
        if ( len > best )
        {
            best = len;
            *first = start;
            *last = e;
        }
    }
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t mib = argc >= 2 ? strtoull(argv[1], NULL, 0) : 0;
    int write = argc == 3 && !strcmp(argv[2], "write");
    uint64_t pages = mib * 256, words = pages * WORDS_PER_PAGE;
    uint64_t i, sum, first = 0, last = 0, pass;
    uint64_t *buf;

    if ( !mib || argc > 3 || (argc == 3 && !write) )
    {
        fprintf(stderr, "usage: memcheck MIB [write]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    buf = mmap(NULL, pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if ( buf == MAP_FAILED || mlock(buf, pages * PAGE_SIZE) )
    {
        perror("memcheck: buffer");
        return 1;
    }
    for ( i = 0; i < words; i++ )
        buf[i] = pattern(i);
    sum = checksum(buf, words);
    if ( longest_pfn_run(buf, pages, &first, &last) )
    {
        perror("memcheck: /proc/self/pagemap");
        return 1;
    }
    printf("MEMCHECK-READY sum=%016" PRIx64 " pfns=%#" PRIx64 "-%#" PRIx64
           "\n", sum, first, last);

    if ( write )
        write_loop(buf, pages);
    for ( pass = 1; ; pass++ )
    {
        sleep(1);
        if ( checksum(buf, words) == sum )
            printf("MEMCHECK-OK pass=%" PRIu64 "\n", pass);
        else
            printf("MEMCHECK-BAD pass=%" PRIu64 " pages=%" PRIu64 "\n",
                   pass, bad_pages(buf, pages));
    }
}

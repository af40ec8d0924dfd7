/*
 * lu-preserve fill SEED PAGES
 * lu-preserve scatter SEED RANGES
 * lu-preserve check SEED
 * lu-preserve try DOMID FRAME|shared-info
 *
 * Runs in the test dom0.  "fill" allocates PAGES pages, fills each with a
 * pattern made from SEED and the page's machine frame number, and asks Xen
 * to preserve them across the next live update (XEN_SYSCTL_live_update),
 * then holds them until the update (run it in the background).  "scatter"
 * does the same with twice RANGES pages, but preserves only RANGES of
 * them, no two with adjacent frame numbers: RANGES separate ranges, to
 * measure how the number of ranges weighs on a live update.
 * "check", after one or more live updates, reads every page Xen says is
 * preserved (as DOMID_XEN pages, or dom0's own when a live update carried
 * dom0 and the page over) and checks its pattern.  The pattern names its
 * frame, so nothing needs to be carried over but SEED.
 * "try" asks Xen to preserve one frame of domain DOMID, or the domain's
 * shared info page, and prints what Xen answers: "rc R errno E".
 *
 * Prints "PRESERVED <pages>" or "CHECKED <pages> pages, <bad> bad";
 * exits 0, 1 when a page is bad, 2 on an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenguest.h>
#include <xenforeignmemory.h>

#define PAGE 4096UL
#define WORDS (PAGE / sizeof(uint64_t))

static uint64_t pattern(uint64_t seed, uint64_t mfn, uint64_t i)
{
    uint64_t z = seed ^ (mfn << 12) ^ i;

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void die(const char *what)
{
    perror(what);
    exit(2);
}

/* The pseudo-physical frame behind @va, from /proc/self/pagemap. */
static uint64_t pfn_of(int pagemap, const void *va)
{
    uint64_t e;

    if ( pread(pagemap, &e, sizeof(e),
               (uintptr_t)va / PAGE * sizeof(e)) != sizeof(e) ||
         !(e >> 63) )
        die("pagemap");
    return e & ((1ULL << 55) - 1);
}

/*
 * One of dom0's own frames, read-only.  dom0 maps its own frames as
 * DOMID_SELF: Xen refuses a domain that names itself as the foreign one.
 * The last frame stays mapped in @cache, as the next lookup often wants it.
 */
struct mapped {
    uint64_t mfn;
    const uint64_t *page;
};

static const uint64_t *own_frame(xenforeignmemory_handle *fmem,
                                 struct mapped *cache, uint64_t mfn)
{
    xen_pfn_t frame = mfn;
    int err = 0;

    if ( cache->page && cache->mfn == mfn )
        return cache->page;
    if ( cache->page )
        xenforeignmemory_unmap(fmem, (void *)cache->page, 1);
    cache->page = xenforeignmemory_map(fmem, DOMID_SELF, PROT_READ, 1,
                                       &frame, &err);
    if ( !cache->page || err )
        die("mapping dom0's own frame");
    cache->mfn = mfn;
    return cache->page;
}

/*
 * One entry of dom0's own P2M, through the three-level frame list Linux
 * publishes in its shared info, at @fll.
 */
static uint64_t own_mfn(xenforeignmemory_handle *fmem, uint64_t fll,
                        uint64_t pfn)
{
    static struct mapped level[3];
    uint64_t fl = own_frame(fmem, &level[0], fll)[pfn / WORDS / WORDS];
    uint64_t p2m = own_frame(fmem, &level[1], fl)[pfn / WORDS % WORDS];

    return own_frame(fmem, &level[2], p2m)[pfn % WORDS];
}

/*
 * Allocate @pages pages, fill each with the pattern of its frame, and
 * return their machine frame numbers.
 */
static uint64_t *fill_pages(xc_interface *xch, uint64_t seed,
                            unsigned long pages)
{
    xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
    uint64_t *frames = calloc(pages, sizeof(*frames)), fll;
    uint64_t *buf = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE |
                         MAP_LOCKED, -1, 0);
    int pagemap = open("/proc/self/pagemap", O_RDONLY);
    struct mapped shared_info = { 0 };
    xc_dominfo_t info;
    unsigned long p, i;

    if ( !fmem || !frames || buf == MAP_FAILED || pagemap < 0 )
        die("fill: allocating");
    if ( xc_domain_getinfo(xch, 0, 1, &info) != 1 || info.domid )
        die("fill: dom0's info");
    fll = own_frame(fmem, &shared_info, info.shared_info_frame)
        [offsetof(shared_info_t, arch.pfn_to_mfn_frame_list_list) /
         sizeof(uint64_t)];

    for ( p = 0; p < pages; p++ )
    {
        uint64_t *page = buf + p * WORDS;

        frames[p] = own_mfn(fmem, fll, pfn_of(pagemap, page));
        for ( i = 0; i < WORDS; i++ )
            page[i] = pattern(seed, frames[p], i);
    }

    return frames;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t l = *(const uint64_t *)a, r = *(const uint64_t *)b;

    return l < r ? -1 : l > r;
}

/*
 * Keep at most @want of the @nr @frames, none next to another: sorted,
 * each kept one at least two above the last.  Returns how many are kept.
 */
static unsigned long keep_apart(uint64_t *frames, unsigned long nr,
                                unsigned long want)
{
    unsigned long i, kept = 0;

    qsort(frames, nr, sizeof(*frames), cmp_u64);
    for ( i = 0; i < nr && kept < want; i++ )
        if ( !kept || frames[i] > frames[kept - 1] + 1 )
            frames[kept++] = frames[i];

    return kept;
}

/*
 * Preserve @nr of the @frames, and hold their pages: dom0's kernel would
 * reuse them once this process ends, writing over what Xen preserves.
 */
static void __attribute__((noreturn)) preserve_and_hold(
    xc_interface *xch, uint64_t *frames, unsigned long nr)
{
    if ( xc_live_update_preserve(xch, 0, frames, nr) )
        die("fill: xc_live_update_preserve");

    printf("PRESERVED %lu\n", nr);
    fflush(stdout);
    for ( ;; )
        pause();
}

static int check(xc_interface *xch, uint64_t seed)
{
    xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
    xen_sysctl_lu_range_t *ranges;
    uint64_t nr = 0, r, mfn, pages = 0, bad = 0, i;

    if ( !fmem || xc_live_update_list(xch, NULL, &nr) )
        die("check: listing");
    ranges = calloc(nr ?: 1, sizeof(*ranges));
    if ( !ranges || xc_live_update_list(xch, ranges, &nr) )
        die("check: listing");

    for ( r = 0; r < nr; r++ )
        for ( mfn = ranges[r].mfn; mfn < ranges[r].mfn + ranges[r].nr; mfn++ )
        {
            xen_pfn_t frame = mfn;
            int err = 0;
            const uint64_t *page = xenforeignmemory_map(fmem, DOMID_XEN,
                                                        PROT_READ, 1,
                                                        &frame, &err);

            /* A page dom0 still holds (it was carried over) is its own. */
            if ( !page || err )
            {
                if ( page )
                    xenforeignmemory_unmap(fmem, (void *)page, 1);
                frame = mfn;
                err = 0;
                page = xenforeignmemory_map(fmem, DOMID_SELF, PROT_READ, 1,
                                            &frame, &err);
            }

            if ( !page || err )
            {
                fprintf(stderr, "check: cannot map mfn %#" PRIx64 "\n", mfn);
                bad++;
                continue;
            }
            for ( i = 0; i < WORDS && page[i] == pattern(seed, mfn, i); i++ )
                ;
            if ( i < WORDS )
            {
                fprintf(stderr, "check: mfn %#" PRIx64 " differs at word %"
                        PRIu64 "\n", mfn, i);
                bad++;
            }
            xenforeignmemory_unmap(fmem, (void *)page, 1);
            pages++;
        }

    printf("CHECKED %" PRIu64 " pages, %" PRIu64 " bad\n", pages, bad);
    return bad ? 1 : 0;
}

static int try(xc_interface *xch, uint32_t domid, const char *frame)
{
    uint64_t mfn = strtoull(frame, NULL, 0);
    xc_dominfo_t info;
    int rc;

    if ( !strcmp(frame, "shared-info") )
    {
        if ( xc_domain_getinfo(xch, domid, 1, &info) != 1 ||
             info.domid != domid )
            die("try: the domain's info");
        mfn = info.shared_info_frame;
    }

    rc = xc_live_update_preserve(xch, domid, &mfn, 1);
    printf("rc %d errno %s\n", rc, rc ? strerror(errno) : "0");
    return 0;
}

int main(int argc, char **argv)
{
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);

    if ( !xch )
        die("xc_interface_open");
    if ( argc == 4 && !strcmp(argv[1], "fill") )
    {
        unsigned long pages = strtoul(argv[3], NULL, 0);

        preserve_and_hold(xch, fill_pages(xch, strtoull(argv[2], NULL, 0),
                                          pages), pages);
    }
    if ( argc == 4 && !strcmp(argv[1], "scatter") )
    {
        unsigned long ranges = strtoul(argv[3], NULL, 0);
        uint64_t *frames = fill_pages(xch, strtoull(argv[2], NULL, 0),
                                      2 * ranges);

        /* Of any 2n frames, n can be kept apart. */
        preserve_and_hold(xch, frames, keep_apart(frames, 2 * ranges,
                                                  ranges));
    }
    if ( argc == 3 && !strcmp(argv[1], "check") )
        return check(xch, strtoull(argv[2], NULL, 0));
    if ( argc == 4 && !strcmp(argv[1], "try") )
        return try(xch, strtoul(argv[2], NULL, 0), argv[3]);

    fprintf(stderr, "usage: lu-preserve fill SEED PAGES | "
            "scatter SEED RANGES | check SEED | "
            "try DOMID FRAME|shared-info\n");
    return 2;
}

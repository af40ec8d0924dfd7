/*
 * lu-preserve fill SEED PAGES
 * lu-preserve check SEED
 *
 * Runs in the test dom0.  "fill" allocates PAGES pages, fills each with a
 * pattern made from SEED and the page's machine frame number, and asks Xen
 * to preserve them across the next live update (XEN_SYSCTL_live_update),
 * then holds them until the update (run it in the background).
 * "check", after one or more live updates, reads every page Xen says is
 * preserved (as DOMID_XEN pages) and checks its pattern.  The pattern
 * names its frame, so nothing needs to be carried over but SEED.
 *
 * Prints "PRESERVED <pages>" or "CHECKED <pages> pages, <bad> bad";
 * exits 0, 1 when a page is bad, 2 on an error.
 */
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
 * One entry of dom0's own P2M, through the three-level frame list Linux
 * publishes in its shared info.  dom0 maps its own frames as DOMID_SELF:
 * Xen refuses a domain that names itself as the foreign one.
 */
static uint64_t read_own_frame(xenforeignmemory_handle *fmem, uint64_t mfn,
                               unsigned int idx)
{
    xen_pfn_t frame = mfn;
    int err = 0;
    const uint64_t *page = xenforeignmemory_map(fmem, DOMID_SELF, PROT_READ,
                                                1, &frame, &err);
    uint64_t v;

    if ( !page || err )
        die("mapping dom0's own frame");
    v = page[idx];
    xenforeignmemory_unmap(fmem, (void *)page, 1);
    return v;
}

static uint64_t own_mfn(xenforeignmemory_handle *fmem, uint64_t fll,
                        uint64_t pfn)
{
    uint64_t fl = read_own_frame(fmem, fll, pfn / WORDS / WORDS);
    uint64_t p2m = read_own_frame(fmem, fl, pfn / WORDS % WORDS);

    return read_own_frame(fmem, p2m, pfn % WORDS);
}

static void __attribute__((noreturn)) fill(xc_interface *xch, uint64_t seed,
                                         unsigned long pages)
{
    xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
    uint64_t *frames = calloc(pages, sizeof(*frames)), fll;
    uint64_t *buf = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE |
                         MAP_LOCKED, -1, 0);
    int pagemap = open("/proc/self/pagemap", O_RDONLY);
    xc_dominfo_t info;
    unsigned long p, i;

    if ( !fmem || !frames || buf == MAP_FAILED || pagemap < 0 )
        die("fill: allocating");
    if ( xc_domain_getinfo(xch, 0, 1, &info) != 1 || info.domid )
        die("fill: dom0's info");
    fll = read_own_frame(fmem, info.shared_info_frame,
                         offsetof(shared_info_t,
                                  arch.pfn_to_mfn_frame_list_list) /
                         sizeof(uint64_t));

    for ( p = 0; p < pages; p++ )
    {
        uint64_t *page = buf + p * WORDS;

        frames[p] = own_mfn(fmem, fll, pfn_of(pagemap, page));
        for ( i = 0; i < WORDS; i++ )
            page[i] = pattern(seed, frames[p], i);
    }

    if ( xc_live_update_preserve(xch, 0, frames, pages) )
        die("fill: xc_live_update_preserve");

    /*
     * dom0's kernel would reuse the pages once this process ends, writing
     * over what Xen preserves: hold them until the live update.
     */
    printf("PRESERVED %lu\n", pages);
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

int main(int argc, char **argv)
{
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);

    if ( !xch )
        die("xc_interface_open");
    if ( argc == 4 && !strcmp(argv[1], "fill") )
        fill(xch, strtoull(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
    if ( argc == 3 && !strcmp(argv[1], "check") )
        return check(xch, strtoull(argv[2], NULL, 0));

    fprintf(stderr, "usage: lu-preserve fill SEED PAGES | check SEED\n");
    return 2;
}

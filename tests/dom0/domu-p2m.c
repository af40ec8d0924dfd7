/*
 * domu-p2m DOMID FIRST_PFN LAST_PFN
 *
 * Runs in the test dom0.  Prints the machine frames behind guest frames
 * FIRST_PFN-LAST_PFN of PV domain DOMID, from the domain's own P2M, as
 * runs of consecutive MFNs, one "FIRST-LAST" (hex, inclusive) per line,
 * in the order of the guest frames: the form xl page-offline takes.
 * Exits 0, or 2 on an error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>
#include <xenguest.h>

static uint64_t p2m_entry(const struct xc_domain_meminfo *minfo,
                          uint64_t pfn)
{
    if ( minfo->guest_width == sizeof(uint64_t) )
        return ((const uint64_t *)minfo->p2m_table)[pfn];
    return ((const uint32_t *)minfo->p2m_table)[pfn];
}

static void print_run(uint64_t first, uint64_t last)
{
    printf("%#" PRIx64 "-%#" PRIx64 "\n", first, last);
}

int main(int argc, char **argv)
{
    struct xc_domain_meminfo minfo = { 0 };
    uint64_t first, last, pfn, mfn, run = 0, prev = 0;
    xc_interface *xch;
    uint32_t domid;

    if ( argc != 4 )
    {
        fprintf(stderr, "usage: domu-p2m DOMID FIRST_PFN LAST_PFN\n");
        return 2;
    }
    domid = strtoul(argv[1], NULL, 0);
    first = strtoull(argv[2], NULL, 0);
    last = strtoull(argv[3], NULL, 0);

    xch = xc_interface_open(NULL, NULL, 0);
    if ( !xch || xc_map_domain_meminfo(xch, domid, &minfo) )
    {
        fprintf(stderr, "domu-p2m: domain %u: %s\n", domid, strerror(errno));
        return 2;
    }
    if ( first > last || last >= minfo.p2m_size )
    {
        fprintf(stderr, "domu-p2m: pfns %#" PRIx64 "-%#" PRIx64
                " not within the domain's %#lx\n", first, last,
                minfo.p2m_size);
        return 2;
    }

    for ( pfn = first; pfn <= last; pfn++ )
    {
        mfn = p2m_entry(&minfo, pfn);
        if ( pfn == first || mfn != prev + 1 )
        {
            if ( pfn != first )
                print_run(run, prev);
            run = mfn;
        }
        prev = mfn;
    }
    print_run(run, prev);

    xc_unmap_domain_meminfo(xch, &minfo);
    xc_interface_close(xch);
    return 0;
}

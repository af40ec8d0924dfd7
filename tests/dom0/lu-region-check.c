/*
 * lu-region-check DOMID...
 *
 * Runs in the test dom0.  For each PV domain given, counts the frames of
 * the live update region, as Xen reports it (KEXEC_RANGE_MA_LIVEUPDATE),
 * that the domain owns.  Domain memory must never be there: the next Xen
 * overwrites the region.
 *
 * Prints one line per domain, "domain D owns K pages of region S-E", and
 * exits 0 when K is 0 for every domain, 1 when not, 2 on an error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <xenctrl.h>
#include <xen/kexec.h>

/* Exported by libxenctrl, declared only in its private header. */
int xc_get_pfn_type_batch(xc_interface *xch, uint32_t dom,
                          unsigned int num, xen_pfn_t *arr);

static uint64_t region_start, region_end;

/*
 * Ask Xen, for every frame of the region, whether @domid owns it: for a PV
 * domain, XEN_DOMCTL_getpageframeinfo3 takes machine frames and reports
 * XTAB for a frame the domain does not own.
 */
static int check_domain(xc_interface *xch, uint32_t domid)
{
    enum { BATCH = 1024 };
    xen_pfn_t frames[BATCH];
    uint64_t mfn = region_start >> XC_PAGE_SHIFT;
    uint64_t end = region_end >> XC_PAGE_SHIFT;
    unsigned long owned = 0;
    unsigned int i, n;

    for ( ; mfn < end; mfn += n )
    {
        n = end - mfn < BATCH ? end - mfn : BATCH;
        for ( i = 0; i < n; i++ )
            frames[i] = mfn + i;
        if ( xc_get_pfn_type_batch(xch, domid, n, frames) )
        {
            fprintf(stderr, "lu-region-check: domain %u: %s\n",
                    domid, strerror(errno));
            return 2;
        }
        for ( i = 0; i < n; i++ )
            owned += frames[i] != XEN_DOMCTL_PFINFO_XTAB;
    }

    printf("domain %u owns %lu pages of region %#" PRIx64 "-%#" PRIx64 "\n",
           domid, owned, region_start, region_end);

    return owned ? 1 : 0;
}

int main(int argc, char **argv)
{
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    uint64_t size;
    int i, rc = 0;

    if ( argc < 2 )
    {
        fprintf(stderr, "usage: lu-region-check DOMID...\n");
        return 2;
    }
    if ( !xch )
    {
        fprintf(stderr, "lu-region-check: cannot open libxenctrl\n");
        return 2;
    }
    if ( xc_kexec_get_range(xch, KEXEC_RANGE_MA_LIVEUPDATE, 0, &size,
                            &region_start) )
    {
        fprintf(stderr, "lu-region-check: no live update region: %s\n",
                strerror(errno));
        return 2;
    }
    region_end = region_start + size;

    for ( i = 1; i < argc; i++ )
    {
        int r = check_domain(xch, strtoul(argv[i], NULL, 0));

        if ( r > rc )
            rc = r;
    }

    xc_interface_close(xch);

    return rc;
}

/*
 * domu-p2m DOMID FIRST_PFN LAST_PFN
 *
 * Runs in the test dom0.  Prints the machine frames behind guest frames
 * FIRST_PFN-LAST_PFN of domain DOMID as runs of consecutive MFNs, one
 * "FIRST-LAST" (hex, inclusive) per line, in the order of the guest
 * frames: the form xl page-offline takes.  A PV domain's come from its own
 * P2M.  An HVM or PVH domain's p2m is Xen's alone: they come from Xen's
 * M2P, which names the guest frame each machine frame backs, keeping the
 * machine frames a page offline dry run says the domain holds.
 *
 * domu-p2m DOMID shared-info
 *
 * Prints the machine frame of the domain's shared info page: Xen's page,
 * which an HVM or PVH guest maps at a guest frame of its choice.
 *
 * domu-p2m DOMID self-mapped-l1
 *
 * Prints the machine frame of a PV domain's L1 page table that maps
 * itself (as a Linux direct-map L1 lying in the 2 MiB it maps does), if
 * there is one: the hardest page table to exchange.
 * Exits 0, or 2 on an error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define XC_WANT_COMPAT_MAP_FOREIGN_API
#include <xenctrl.h>
#include <xenguest.h>

static uint64_t p2m_entry(const struct xc_domain_meminfo *minfo,
                          uint64_t pfn)
{
    if ( minfo->guest_width == sizeof(uint64_t) )
        return ((const uint64_t *)minfo->p2m_table)[pfn];
    return ((const uint32_t *)minfo->p2m_table)[pfn];
}

/* Xen's M2P, read-only, with the highest MFN in *@max_mfn. */
static const xen_pfn_t *map_m2p(xc_interface *xch, unsigned long *max_mfn)
{
    if ( xc_maximum_ram_page(xch, max_mfn) )
        return NULL;
    return xc_map_m2p(xch, *max_mfn, PROT_READ, NULL);
}

/*
 * What a dry run of offlining page @mfn says of it: its XEN_PAGE_* byte,
 * and in @owners (XEN_PAGE_OFFLINE_OWNERS_BYTES) the domain holding it.
 */
static uint8_t offline_check(xc_interface *xch, uint64_t mfn,
                             uint8_t *owners)
{
    uint8_t status = 0;

    xc_page_offline_range(xch, XEN_PAGE_OFFLINE_offline,
                          XEN_PAGE_OFFLINE_DRY_RUN, mfn, 1, &status, owners,
                          NULL, NULL);
    return status;
}

/* Does domain @domid hold page @mfn? */
static bool domain_holds(xc_interface *xch, uint32_t domid, uint64_t mfn)
{
    static uint8_t owners[XEN_PAGE_OFFLINE_OWNERS_BYTES];

    return !(offline_check(xch, mfn, owners) & XEN_PAGE_REFUSED_MASK) &&
           (owners[domid / 8] & (1U << (domid % 8)));
}

/* The machine frame of Xen's page at guest frame @gfn of a domain. */
static int xen_page_at(xc_interface *xch, uint64_t gfn, uint64_t *mfn_r)
{
    const xen_pfn_t *m2p;
    unsigned long max_mfn, mfn;

    if ( !(m2p = map_m2p(xch, &max_mfn)) )
        return -1;

    for ( mfn = 0; mfn <= max_mfn; mfn++ )
        if ( m2p[mfn] == gfn &&
             (offline_check(xch, mfn, NULL) & XEN_PAGE_REFUSED_MASK) ==
             (XEN_PAGE_REFUSED_XEN << XEN_PAGE_REFUSED_SHIFT) )
        {
            *mfn_r = mfn;
            return 0;
        }
    errno = ENOENT;
    return -1;
}

/* @mfns[i]: the machine frame behind guest frame @first + i. */
static int translated_p2m(xc_interface *xch, uint32_t domid, uint64_t first,
                          uint64_t last, uint64_t *mfns)
{
    const xen_pfn_t *m2p;
    unsigned long max_mfn, mfn;
    uint64_t pfn;

    if ( !(m2p = map_m2p(xch, &max_mfn)) )
        return -1;

    for ( mfn = 0; mfn <= max_mfn; mfn++ )
        if ( m2p[mfn] >= first && m2p[mfn] <= last &&
             domain_holds(xch, domid, mfn) )
            mfns[m2p[mfn] - first] = mfn;

    for ( pfn = first; pfn <= last; pfn++ )
        if ( !mfns[pfn - first] )
        {
            fprintf(stderr, "domu-p2m: no machine frame behind pfn %#"
                    PRIx64 "\n", pfn);
            errno = ENOENT;
            return -1;
        }
    return 0;
}

/* @mfns[i]: the machine frame behind guest frame @first + i. */
static int pv_p2m(xc_interface *xch, uint32_t domid, uint64_t first,
                  uint64_t last, uint64_t *mfns)
{
    struct xc_domain_meminfo minfo = { 0 };
    uint64_t pfn;

    if ( xc_map_domain_meminfo(xch, domid, &minfo) )
        return -1;
    if ( last >= minfo.p2m_size )
    {
        fprintf(stderr, "domu-p2m: pfns %#" PRIx64 "-%#" PRIx64
                " not within the domain's %#lx\n", first, last,
                minfo.p2m_size);
        errno = ERANGE;
        return -1;
    }
    for ( pfn = first; pfn <= last; pfn++ )
        mfns[pfn - first] = p2m_entry(&minfo, pfn);
    xc_unmap_domain_meminfo(xch, &minfo);
    return 0;
}

/* Does page table @mfn, of the domain's, have an entry that maps it? */
static bool maps_itself(xc_interface *xch, uint32_t domid, uint64_t mfn)
{
    const uint64_t *pte;
    bool found = false;
    unsigned int i;

    pte = xc_map_foreign_range(xch, domid, XC_PAGE_SIZE, PROT_READ, mfn);
    if ( !pte )
        return false;
    for ( i = 0; i < XC_PAGE_SIZE / sizeof(*pte) && !found; i++ )
        found = (pte[i] & 1) &&
                ((pte[i] >> XC_PAGE_SHIFT) & ((1ULL << 40) - 1)) == mfn;
    munmap((void *)pte, XC_PAGE_SIZE);
    return found;
}

/* Print a PV domain's L1 table that maps itself: see above. */
static int self_mapped_l1(xc_interface *xch, uint32_t domid)
{
    struct xc_domain_meminfo minfo = { 0 };
    uint64_t pfn, mfn;

    if ( xc_map_domain_meminfo(xch, domid, &minfo) )
        return -1;
    for ( pfn = 0; pfn < minfo.p2m_size; pfn++ )
    {
        mfn = p2m_entry(&minfo, pfn);
        if ( (minfo.pfn_type[pfn] & XEN_DOMCTL_PFINFO_LTAB_MASK) ==
             XEN_DOMCTL_PFINFO_L1TAB && maps_itself(xch, domid, mfn) )
        {
            printf("%#" PRIx64 "\n", mfn);
            break;
        }
    }
    xc_unmap_domain_meminfo(xch, &minfo);
    return 0;
}

static void print_run(uint64_t first, uint64_t last)
{
    printf("%#" PRIx64 "-%#" PRIx64 "\n", first, last);
}

int main(int argc, char **argv)
{
    uint64_t first = 0, last = 0, pfn, mfn, run = 0, prev = 0, *mfns = NULL;
    bool shared_info = argc == 3 && !strcmp(argv[2], "shared-info");
    bool self_l1 = argc == 3 && !strcmp(argv[2], "self-mapped-l1");
    xc_domaininfo_t info;
    xc_interface *xch;
    uint32_t domid;
    int rc;

    if ( argc != 4 && !shared_info && !self_l1 )
    {
        fprintf(stderr, "usage: domu-p2m DOMID FIRST_PFN LAST_PFN\n"
                "       domu-p2m DOMID shared-info\n"
                "       domu-p2m DOMID self-mapped-l1\n");
        return 2;
    }
    domid = strtoul(argv[1], NULL, 0);
    if ( argc == 4 )
    {
        first = strtoull(argv[2], NULL, 0);
        last = strtoull(argv[3], NULL, 0);
    }
    if ( first > last || !(mfns = calloc(last - first + 1, sizeof(*mfns))) )
    {
        fprintf(stderr, "domu-p2m: bad pfn range %s-%s\n", argv[2], argv[3]);
        return 2;
    }

    xch = xc_interface_open(NULL, NULL, 0);
    if ( !xch || xc_domain_getinfolist(xch, domid, 1, &info) != 1 ||
         info.domain != domid )
    {
        fprintf(stderr, "domu-p2m: domain %u: %s\n", domid,
                xch ? "no such domain" : strerror(errno));
        return 2;
    }
    if ( self_l1 )
    {
        if ( (info.flags & XEN_DOMINF_hvm_guest) ||
             self_mapped_l1(xch, domid) )
        {
            fprintf(stderr, "domu-p2m: domain %u: no PV page tables to "
                    "read\n", domid);
            return 2;
        }
        return 0;
    }
    if ( shared_info )
    {
        /* A PV domain's is an MFN, a translated one's its guest frame. */
        mfn = info.shared_info_frame;
        if ( (info.flags & XEN_DOMINF_hvm_guest) &&
             xen_page_at(xch, info.shared_info_frame, &mfn) )
        {
            fprintf(stderr, "domu-p2m: domain %u: no shared info page at "
                    "pfn %#" PRIx64 "\n", domid,
                    (uint64_t)info.shared_info_frame);
            return 2;
        }
        printf("%#" PRIx64 "\n", mfn);
        return 0;
    }
    rc = (info.flags & XEN_DOMINF_hvm_guest)
         ? translated_p2m(xch, domid, first, last, mfns)
         : pv_p2m(xch, domid, first, last, mfns);
    if ( rc )
    {
        fprintf(stderr, "domu-p2m: domain %u: %s\n", domid, strerror(errno));
        return 2;
    }

    for ( pfn = first; pfn <= last; pfn++ )
    {
        mfn = mfns[pfn - first];
        if ( pfn == first || mfn != prev + 1 )
        {
            if ( pfn != first )
                print_run(run, prev);
            run = mfn;
        }
        prev = mfn;
    }
    print_run(run, prev);

    xc_interface_close(xch);
    return 0;
}

/*
 * claim PAGES
 *
 * Runs in the test dom0.  Creates an empty PV domain allowed PAGES pages,
 * asks Xen to claim PAGES pages for it (XENMEM_claim_pages, what xl does
 * before it builds a domain when claim_mode is on), and destroys it.
 *
 * Prints "rc R errno E outstanding N": the claim's return code, its errno
 * (0 when it succeeded) and the pages outstanding in claims just after it,
 * as XEN_SYSCTL_physinfo reports them.  Exits 0, or 2 on an error before
 * or after the claim.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <xenctrl.h>

int main(int argc, char **argv)
{
    struct xen_domctl_createdomain config = {
        .max_vcpus = 1,
        .max_evtchn_port = 1023,
        .max_grant_frames = 1,
        .max_maptrack_frames = 0,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
    };
    xc_physinfo_t info = { 0 };
    unsigned long pages;
    uint32_t domid = 0;
    xc_interface *xch;
    int rc, err, status = 0;

    if ( argc != 2 || !(pages = strtoul(argv[1], NULL, 0)) )
    {
        fprintf(stderr, "usage: claim PAGES\n");
        return 2;
    }

    xch = xc_interface_open(NULL, NULL, 0);
    if ( !xch )
    {
        fprintf(stderr, "claim: cannot open libxenctrl: %s\n",
                strerror(errno));
        return 2;
    }

    if ( xc_domain_create(xch, &domid, &config) ||
         xc_domain_setmaxmem(xch, domid, pages * (XC_PAGE_SIZE / 1024)) )
    {
        fprintf(stderr, "claim: cannot create a domain for the claim: %s\n",
                strerror(errno));
        status = 2;
        goto out;
    }

    rc = xc_domain_claim_pages(xch, domid, pages);
    err = rc ? errno : 0;
    if ( xc_physinfo(xch, &info) )
    {
        fprintf(stderr, "claim: physinfo: %s\n", strerror(errno));
        status = 2;
    }
    printf("rc %d errno %s outstanding %" PRIu64 "\n",
           rc, err ? strerror(err) : "0", (uint64_t)info.outstanding_pages);

 out:
    if ( domid && xc_domain_destroy(xch, domid) )
    {
        fprintf(stderr, "claim: cannot destroy domain %u: %s\n", domid,
                strerror(errno));
        status = 2;
    }
    xc_interface_close(xch);

    return status;
}

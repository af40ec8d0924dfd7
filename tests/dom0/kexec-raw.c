/*
 * kexec-raw: what Xen itself refuses to load for a live update, below
 * kexec-tools (which keeps to its own conventions).
 *
 *   kexec-raw load-lu DEST
 *       KEXEC_CMD_kexec_load of a live update image: one 4 KiB segment at
 *       machine address DEST, entered there.  Prints "rc R errno E" and
 *       unloads what was loaded.  Exits 0 when Xen took it, 1 when not.
 *   kexec-raw region
 *       Prints the live update region (KEXEC_RANGE_MA_LIVEUPDATE) as
 *       "START SIZE", in hex.
 *   kexec-raw region-free-page
 *       Prints the MFN (hex) of the region's last free page: a page the
 *       heap may hand out, as no domain's memory is ever in the region.
 *       Exits 1 when there is none.
 *   kexec-raw heap-in-xen
 *       Counts the pages of the running Xen's image (KEXEC_RANGE_MA_XEN),
 *       which the next Xen overwrites, that the heap may hand out (free,
 *       or held by a domain): "N heap pages in Xen's image S-E".  Exits 0
 *       when N is 0, 1 when not.
 *
 * Exits 2 on a usage error or when a query fails.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>
#include <xen/kexec.h>

#define EM_X86_64 62

static int usage(void)
{
    fprintf(stderr, "usage: kexec-raw load-lu DEST | region | "
            "region-free-page | heap-in-xen\n");
    return 2;
}

static int load_lu(xc_interface *xch, uint64_t dest)
{
    DECLARE_HYPERCALL_BUFFER(void, page);
    xen_kexec_segment_t seg = {
        .buf_size = XC_PAGE_SIZE,
        .dest_maddr = dest,
        .dest_size = XC_PAGE_SIZE,
    };
    int rc, err;

    page = xc_hypercall_buffer_alloc(xch, page, XC_PAGE_SIZE);
    if (!page)
        return 2;
    memset(page, 0xcc, XC_PAGE_SIZE);   /* int3: never run */
    set_xen_guest_handle(seg.buf.h, page);

    rc = xc_kexec_load(xch, KEXEC_TYPE_LIVE_UPDATE, EM_X86_64, dest, 1, &seg);
    err = rc ? errno : 0;
    printf("rc %d errno %s\n", rc, err ? strerror(err) : "0");
    if (!rc)
        xc_kexec_unload(xch, KEXEC_TYPE_LIVE_UPDATE);

    xc_hypercall_buffer_free(xch, page);
    return rc ? 1 : 0;
}

/* The page offline states of kexec range @range: *nr bytes, or NULL. */
static uint8_t *query_range(xc_interface *xch, int range, uint64_t *start,
                            uint64_t *nr)
{
    uint64_t size;
    uint8_t *status;

    if (xc_kexec_get_range(xch, range, 0, &size, start)) {
        perror("kexec-raw: kexec range");
        return NULL;
    }
    *nr = size >> XC_PAGE_SHIFT;
    status = calloc(*nr, 1);
    if (status &&
        xc_page_offline_range(xch, XEN_PAGE_OFFLINE_query, 0,
                              *start >> XC_PAGE_SHIFT, *nr, status, NULL,
                              NULL, NULL)) {
        perror("kexec-raw: query");
        free(status);
        return NULL;
    }
    return status;
}

static int region_free_page(xc_interface *xch)
{
    uint64_t start, nr, i;
    uint8_t *status = query_range(xch, KEXEC_RANGE_MA_LIVEUPDATE, &start,
                                  &nr);

    if (!status)
        return 2;
    for (i = nr; i-- > 1;)
        if (status[i] == XEN_PAGE_ONLINE) {
            printf("%#" PRIx64 "\n", (start >> XC_PAGE_SHIFT) + i);
            break;
        }
    free(status);
    return i ? 0 : 1;
}

static int heap_in_xen(xc_interface *xch)
{
    uint64_t start, nr, i, heap = 0;
    uint8_t *status = query_range(xch, KEXEC_RANGE_MA_XEN, &start, &nr);

    if (!status)
        return 2;

    /* Xen's own pages are refused as such; anything else is the heap's. */
    for (i = 0; i < nr; i++)
        if ((status[i] >> XEN_PAGE_REFUSED_SHIFT) != XEN_PAGE_REFUSED_XEN)
            heap++;

    printf("%" PRIu64 " heap pages in Xen's image %#" PRIx64 "-%#" PRIx64
           "\n", heap, start, start + (nr << XC_PAGE_SHIFT) - 1);
    free(status);
    return heap ? 1 : 0;
}

int main(int argc, char **argv)
{
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    uint64_t start, size;
    int rc;

    if (!xch) {
        perror("xc_interface_open");
        return 2;
    }

    if (argc == 3 && !strcmp(argv[1], "load-lu"))
        rc = load_lu(xch, strtoull(argv[2], NULL, 0));
    else if (argc == 2 && !strcmp(argv[1], "heap-in-xen"))
        rc = heap_in_xen(xch);
    else if (argc == 2 && !strcmp(argv[1], "region-free-page"))
        rc = region_free_page(xch);
    else if (argc == 2 && !strcmp(argv[1], "region")) {
        rc = xc_kexec_get_range(xch, KEXEC_RANGE_MA_LIVEUPDATE, 0, &size,
                                &start) ? 2 : 0;
        if (!rc)
            printf("%#" PRIx64 " %#" PRIx64 "\n", start, size);
    } else
        rc = usage();

    xc_interface_close(xch);
    return rc;
}

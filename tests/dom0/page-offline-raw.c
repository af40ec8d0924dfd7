/*
 * page-offline-raw: drive the page offline hypercalls directly, below xl.
 *
 *   page-offline-raw new offline|online|query START NR
 *       XEN_SYSCTL_page_offline_range, with any START and NR, even those
 *       xl refuses: the hypervisor's own checks are tested with them.
 *       Prints "rc R errno E refused N" and, for a successful call, how
 *       many pages ended offlined and pending.
 *   page-offline-raw old offline|online START END
 *       XEN_SYSCTL_page_offline_op (xc_mark_page_offline/_online), which
 *       xen-hptool uses, over the whole range in one call.
 *   page-offline-raw forge PHASE DONE START NR
 *       An offline of START+NR that claims to continue one at PHASE and
 *       DONE, with every status byte preset to "changed, offlined" (what
 *       an undo would read back, were it trusted).  Prints "rc R errno E".
 *   page-offline-raw replace DOMID START NR
 *       XEN_DOMCTL_page_replace, with any domain, START and NR.  Prints
 *       "rc R errno E replaced N refused M pause_ns P max_pause_ns Q",
 *       then "status MFN CODE" for each page neither skipped nor moved.
 *
 * All three print "ns T pages P" (the call's wall-clock time, for the
 * benchmark) and exit 0 when the hypercall succeeded, 1 when it failed,
 * 2 on a usage error.
 *
 *   page-offline-raw time COMMAND [ARG...]
 *       Runs COMMAND and prints "maxrss_kb K" (its peak resident memory)
 *       then "ns T" (busybox has no clock finer than the shell's), exiting
 *       as COMMAND did.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <xenctrl.h>
#include <xenguest.h>
#include <xencall.h>

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int usage(void)
{
    fprintf(stderr, "usage: page-offline-raw new offline|online|query "
            "START NR\n       page-offline-raw old offline|online START END\n"
            "       page-offline-raw forge PHASE DONE START NR\n"
            "       page-offline-raw replace DOMID START NR\n");
    return 2;
}

static int run_new(xc_interface *xch, const char *cmd, uint64_t start,
                   uint64_t nr)
{
    uint32_t op = !strcmp(cmd, "offline") ? XEN_PAGE_OFFLINE_offline :
                  !strcmp(cmd, "online") ? XEN_PAGE_OFFLINE_online :
                  !strcmp(cmd, "query") ? XEN_PAGE_OFFLINE_query : 0;
    /* Room for the status of a sane range only: Xen checks before use. */
    uint64_t room = nr && nr <= (1ULL << 24) ? nr : 1, i, offlined = 0,
             pending = 0, refused = 0;
    uint8_t *status = calloc(room, 1);
    uint64_t t;
    int rc, err;

    if (!op || !status)
        return usage();

    t = now_ns();
    rc = xc_page_offline_range(xch, op, 0, start, nr, status, NULL, NULL,
                               &refused);
    t = now_ns() - t;
    err = rc ? errno : 0;

    for (i = 0; !rc && i < room; i++) {
        offlined += (status[i] & XEN_PAGE_STATE_MASK) == XEN_PAGE_OFFLINED;
        pending += (status[i] & XEN_PAGE_STATE_MASK) == XEN_PAGE_PENDING;
    }
    printf("rc %d errno %s refused %" PRIu64 " offlined %" PRIu64
           " pending %" PRIu64 "\n", rc, err ? strerror(err) : "0", refused,
           offlined, pending);
    printf("ns %" PRIu64 " pages %" PRIu64 "\n", t, nr);
    free(status);
    return rc ? 1 : 0;
}

static int run_old(xc_interface *xch, const char *cmd, uint64_t start,
                   uint64_t end)
{
    uint32_t *status;
    uint64_t t;
    int rc;

    if (end < start || end - start >= (1ULL << 24) ||
        (strcmp(cmd, "offline") && strcmp(cmd, "online")))
        return usage();
    status = calloc(end - start + 1, sizeof(*status));
    if (!status)
        return 1;

    t = now_ns();
    rc = !strcmp(cmd, "offline") ?
         xc_mark_page_offline(xch, start, end, status) :
         xc_mark_page_online(xch, start, end, status);
    t = now_ns() - t;

    printf("rc %d errno %s\n", rc, rc ? strerror(errno) : "0");
    printf("ns %" PRIu64 " pages %" PRIu64 "\n", t, end - start + 1);
    free(status);
    return rc ? 1 : 0;
}

/* A raw XEN_SYSCTL_page_offline_range, below libxc's wrapper. */
static int run_forge(uint32_t phase, uint64_t done, uint64_t start,
                     uint64_t nr)
{
    xencall_handle *xcall = xencall_open(NULL, 0);
    struct xen_sysctl *sysctl;
    uint8_t *status;
    int rc, err;

    if (!xcall || nr > (1ULL << 20))
        return usage();
    sysctl = xencall_alloc_buffer(xcall, sizeof(*sysctl));
    status = xencall_alloc_buffer(xcall, nr);
    if (!sysctl || !status) {
        xencall_close(xcall);
        return 1;
    }

    memset(sysctl, 0, sizeof(*sysctl));
    memset(status, XEN_PAGE_CHANGED | XEN_PAGE_OFFLINED, nr);
    sysctl->cmd = XEN_SYSCTL_page_offline_range;
    sysctl->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    sysctl->u.page_offline_range.cmd = XEN_PAGE_OFFLINE_offline;
    sysctl->u.page_offline_range.start = start;
    sysctl->u.page_offline_range.nr = nr;
    sysctl->u.page_offline_range.phase = phase;
    sysctl->u.page_offline_range.done = done;
    set_xen_guest_handle_raw(sysctl->u.page_offline_range.status, status);

    rc = xencall1(xcall, __HYPERVISOR_sysctl, (uintptr_t)sysctl);
    err = rc ? errno : 0;
    printf("rc %d errno %s\n", rc, err ? strerror(err) : "0");

    xencall_free_buffer(xcall, status);
    xencall_free_buffer(xcall, sysctl);
    xencall_close(xcall);
    return rc ? 1 : 0;
}

static int run_replace(xc_interface *xch, uint32_t domid, uint64_t start,
                       uint64_t nr)
{
    /* As for run_new: Xen checks the range before it writes a status. */
    uint64_t room = nr && nr <= (1ULL << 24) ? nr : 1, i, t;
    uint8_t *status = calloc(room, 1);
    xc_page_replace_result_t res = { 0 };
    int rc, err;

    if (!status)
        return 1;

    t = now_ns();
    rc = xc_page_replace(xch, domid, start, nr, status, &res);
    t = now_ns() - t;
    err = rc ? errno : 0;

    printf("rc %d errno %s replaced %" PRIu64 " refused %" PRIu64
           " pause_ns %" PRIu64 " max_pause_ns %" PRIu64 "\n", rc,
           err ? strerror(err) : "0", res.replaced, res.refused,
           res.pause_ns, res.max_pause_ns);
    for (i = 0; !rc && i < room; i++)
        if (status[i] != XEN_PAGE_REPLACE_SKIPPED &&
            status[i] != XEN_PAGE_REPLACE_DONE)
            printf("status %#" PRIx64 " %u\n", start + i, status[i]);
    printf("ns %" PRIu64 " pages %" PRIu64 "\n", t, nr);
    free(status);
    return rc ? 1 : 0;
}

static int run_timed(char **argv)
{
    uint64_t t = now_ns();
    pid_t pid = fork();
    struct rusage ru;
    int status;

    if (pid < 0)
        return 1;
    if (!pid) {
        execvp(argv[0], argv);
        perror(argv[0]);
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) < 0)
        return 1;
    t = now_ns() - t;
    printf("maxrss_kb %ld\nns %" PRIu64 "\n", ru.ru_maxrss, t);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
    xc_interface *xch;
    uint64_t a, b;
    int rc;

    if (argc > 2 && !strcmp(argv[1], "time"))
        return run_timed(argv + 2);
    if (argc == 6 && !strcmp(argv[1], "forge"))
        return run_forge(strtoul(argv[2], NULL, 0),
                         strtoull(argv[3], NULL, 0),
                         strtoull(argv[4], NULL, 0),
                         strtoull(argv[5], NULL, 0));
    if (argc != 5)
        return usage();
    a = strtoull(argv[3], NULL, 0);
    b = strtoull(argv[4], NULL, 0);

    xch = xc_interface_open(NULL, NULL, 0);
    if (!xch) {
        perror("xc_interface_open");
        return 1;
    }

    if (!strcmp(argv[1], "new"))
        rc = run_new(xch, argv[2], a, b);
    else if (!strcmp(argv[1], "old"))
        rc = run_old(xch, argv[2], a, b);
    else if (!strcmp(argv[1], "replace"))
        rc = run_replace(xch, strtoul(argv[2], NULL, 0), a, b);
    else
        rc = usage();

    xc_interface_close(xch);
    return rc;
}

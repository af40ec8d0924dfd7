/*
 * Unit tests of the live update state stream (xen/common/lu-stream.c,
 * built here in userspace): a stream the writer makes reads back record
 * by record; every kind of damage is refused with its message, before any
 * record reaches the reader; 100 000 preserved ranges parse.
 * Prints "PASS: name" or "FAIL: name: why" per check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/lu-stream.h>

#define BUF_SIZE (4 << 20)

static unsigned int failures;

static void check(const char *name, int ok, const char *why)
{
    if ( ok )
        printf("PASS: %s\n", name);
    else
    {
        printf("FAIL: %s: %s\n", name, why);
        failures++;
    }
}

/* What the reader saw. */
struct seen {
    unsigned int records, ranges, bad_pages, versions, console;
    uint64_t pages;
    char console_text[64];
};

static int reader(uint32_t type, const void *body, uint32_t len, void *arg)
{
    struct seen *s = arg;
    const struct lu_rec_range *r = body;
    uint32_t i;

    s->records++;
    switch ( type )
    {
    case LU_REC_XEN_VERSION:
        s->versions++;
        break;
    case LU_REC_PRESERVED:
        for ( i = 0; i < len / sizeof(*r); i++, s->ranges++ )
            s->pages += r[i].nr;
        break;
    case LU_REC_BAD_PAGES:
        s->bad_pages += len / sizeof(struct lu_rec_bad_page);
        break;
    case LU_REC_CONSOLE:
        s->console++;
        snprintf(s->console_text, sizeof(s->console_text), "%.*s",
                 (int)len, (const char *)body);
        break;
    }

    return 0;
}

static uint8_t *buf;

/* A stream with one record of each kind; its size. */
static long sample_stream(void)
{
    struct lu_stream_writer w;
    struct lu_rec_xen_version v = { .major = 4, .minor = 17,
                                    .extra = ".5-lu", .changeset = "abc" };
    struct lu_rec_range r[2] = { { 0x100000, 16 }, { 0x200000, 1 } };
    struct lu_rec_bad_page b = { .mfn = 0x1234,
                                 .state = LU_BAD_PAGE_OFFLINED };

    lu_stream_begin(&w, buf, BUF_SIZE);
    lu_stream_add(&w, LU_REC_XEN_VERSION, LU_REC_F_MANDATORY, &v, sizeof(v));
    lu_stream_add(&w, LU_REC_PRESERVED, LU_REC_F_MANDATORY, r, sizeof(r));
    lu_stream_add(&w, LU_REC_BAD_PAGES, LU_REC_F_MANDATORY, &b, sizeof(b));
    lu_stream_add(&w, LU_REC_CONSOLE, 0, "(XEN) last words", 16);
    return lu_stream_finish(&w);
}

static void refresh_header_crc(void)
{
    struct lu_stream_header *h = (void *)buf;

    h->crc = lu_crc32c(0, h, offsetof(struct lu_stream_header, crc));
}

static void refresh_record_crc(size_t off)
{
    struct lu_record_header *rh = (void *)(buf + off);
    uint32_t crc = lu_crc32c(0, rh, offsetof(struct lu_record_header, crc));

    rh->crc = lu_crc32c(crc, rh + 1, rh->length);
}

/* Offset of record @n (1: the first after the header). */
static size_t record_offset(unsigned int n)
{
    size_t off = sizeof(struct lu_stream_header);

    while ( --n )
    {
        const struct lu_record_header *rh = (void *)(buf + off);

        off += sizeof(*rh) + ((rh->length + 7) & ~7U);
    }
    return off;
}

/* Parse @len bytes; expect refusal with @why and no record read. */
static void expect_refused(const char *name, size_t len, const char *why)
{
    struct lu_stream_error err = { 0 };
    struct seen s = { 0 };
    char msg[256];
    int rc = lu_stream_parse(buf, len, reader, &s, &err);

    snprintf(msg, sizeof(msg), "rc %d, why '%s', %u records read", rc,
             err.why ?: "(none)", s.records);
    check(name, rc == -EINVAL && err.why && !strcmp(err.why, why) &&
          !s.records, msg);
}

static void test_round_trip(void)
{
    struct lu_stream_error err = { 0 };
    struct seen s = { 0 };
    long len = sample_stream();
    int rc = lu_stream_parse(buf, len, reader, &s, &err);

    check("round trip: parses", rc == 0, err.why ?: "?");
    check("round trip: every record read once",
          s.versions == 1 && s.ranges == 2 && s.pages == 17 &&
          s.bad_pages == 1 && s.console == 1, "counts differ");
    check("round trip: console text intact",
          !strcmp(s.console_text, "(XEN) last words"), s.console_text);
}

static void test_header_damage(void)
{
    long len = sample_stream();
    struct lu_stream_header *h = (void *)buf;

    expect_refused("empty buffer", 0, "truncated: no room for the header");
    expect_refused("truncated header", 10, "truncated: no room for the header");
    buf[0] ^= 1;
    expect_refused("wrong magic", len, "wrong magic");
    buf[0] ^= 1;
    h->stream_size ^= 0x100;
    expect_refused("header checksum", len, "header checksum mismatch");
    h->stream_size ^= 0x100;
    h->version_major = 2;
    refresh_header_crc();
    expect_refused("newer major version", len, "unsupported major version");
    h->version_major = 1;
    h->flags = 1;
    refresh_header_crc();
    expect_refused("unknown header flags", len, "unknown header flags");
    h->flags = 0;
    refresh_header_crc();
    expect_refused("stream cut short", len - 8, "truncated: the stream is "
                   "longer than the memory holding it");
}

static void test_record_damage(void)
{
    long len = sample_stream();
    struct lu_stream_header *h = (void *)buf;
    size_t off = record_offset(2);
    struct lu_record_header *rh = (void *)(buf + off);
    struct lu_rec_range *r = (void *)(rh + 1);

    buf[off + sizeof(*rh)] ^= 0x40;
    expect_refused("record checksum (late damage, nothing read)", len,
                   "record checksum mismatch");
    buf[off + sizeof(*rh)] ^= 0x40;

    rh->length = 0x7ffffff0;
    expect_refused("record length past the end", len,
                   "record runs past the end of the stream");
    rh->length = sizeof(*r) * 2;

    r[0].nr = 0;
    refresh_record_crc(off);
    expect_refused("empty preserved range", len,
                   "PRESERVED record: empty range");
    r[0].nr = 16;
    r[1].mfn = ~0ULL;
    refresh_record_crc(off);
    expect_refused("wrapping preserved range", len,
                   "PRESERVED record: range wraps");
    r[1].mfn = 0x200000;
    refresh_record_crc(off);

    rh = (void *)(buf + record_offset(3));
    ((struct lu_rec_bad_page *)(rh + 1))->state = 0x80;
    refresh_record_crc(record_offset(3));
    expect_refused("bad page state", len,
                   "BAD_PAGES record: invalid page state");
    ((struct lu_rec_bad_page *)(rh + 1))->state = LU_BAD_PAGE_OFFLINED;
    refresh_record_crc(record_offset(3));

    rh = (void *)(buf + record_offset(1));
    memset(((struct lu_rec_xen_version *)(rh + 1))->extra, 'x', 16);
    refresh_record_crc(record_offset(1));
    expect_refused("version string without NUL", len,
                   "string without a terminating NUL");

    len = sample_stream();
    rh = (void *)(buf + record_offset(4));  /* console: 16 bytes of text */
    rh->length = 13;                        /* 3 bytes of padding now */
    refresh_record_crc(record_offset(4));
    expect_refused("padding not zero", len, "record padding not zero");
    rh->length = 16;
    rh->flags = 0x10;
    refresh_record_crc(record_offset(4));
    expect_refused("unknown record flags", len, "unknown record flags");
    rh->flags = 0;
    refresh_record_crc(record_offset(4));

    rh = (void *)(buf + record_offset(1));
    ((struct lu_rec_xen_version *)(rh + 1))->build_id_len = 4;
    refresh_record_crc(record_offset(1));
    expect_refused("build id length disagrees", len,
                   "XEN_VERSION record: build id length is not the "
                   "record's");

    len = sample_stream();
    h->header_size = 36;
    refresh_header_crc();
    expect_refused("header size not aligned", len, "bad header size");
    h->header_size = sizeof(*h);
    refresh_header_crc();

    h->stream_size -= 16;                   /* drop the END record */
    refresh_header_crc();
    expect_refused("no END record", len, "no END record");
    h->stream_size += 16;
    refresh_header_crc();

    h->stream_size += 16;                   /* room for junk after END */
    refresh_header_crc();
    memset(buf + len, 0, 16);
    expect_refused("data after END", len + 16, "data after the END record");
}

/* A stream with one record of an unknown type between two known ones. */
static long stream_with_unknown(uint32_t flags)
{
    struct lu_stream_writer w;
    struct lu_rec_range r = { 0x100000, 1 };

    lu_stream_begin(&w, buf, BUF_SIZE);
    lu_stream_add(&w, LU_REC_PRESERVED, LU_REC_F_MANDATORY, &r, sizeof(r));
    lu_stream_add(&w, 0x1000, flags, "future", 6);
    lu_stream_add(&w, LU_REC_PRESERVED, LU_REC_F_MANDATORY, &r, sizeof(r));
    return lu_stream_finish(&w);
}

static void test_unknown_records(void)
{
    struct lu_stream_error err = { 0 };
    struct seen s = { 0 };
    long len = stream_with_unknown(0);
    int rc = lu_stream_parse(buf, len, reader, &s, &err);

    check("unknown optional record: skipped, the others read",
          rc == 0 && s.records == 2 && s.ranges == 2, err.why ?: "?");
    len = stream_with_unknown(LU_REC_F_MANDATORY);
    expect_refused("unknown mandatory record: refused", len,
                   "unknown mandatory record type");
}

/* The handover time is optional, but its body has one size only. */
static void test_handover_time(void)
{
    struct lu_stream_writer w;
    struct lu_rec_handover_time t = { .tsc = 123456789 };
    struct lu_stream_error err = { 0 };
    struct seen s = { 0 };
    long len;

    lu_stream_begin(&w, buf, BUF_SIZE);
    lu_stream_add(&w, LU_REC_HANDOVER_TIME, 0, &t, sizeof(t));
    len = lu_stream_finish(&w);
    check("handover time: parses",
          lu_stream_parse(buf, len, reader, &s, &err) == 0 && s.records == 1,
          err.why ?: "not every record read");

    lu_stream_begin(&w, buf, BUF_SIZE);
    lu_stream_add(&w, LU_REC_HANDOVER_TIME, 0, &t, sizeof(t) / 2);
    len = lu_stream_finish(&w);
    expect_refused("handover time: a short body is refused", len,
                   "HANDOVER_TIME record: wrong length");
}

static void test_scale(void)
{
    enum { RANGES = 100000, PER_RECORD = 1000 };
    static struct lu_rec_range r[PER_RECORD];
    struct lu_stream_writer w;
    struct lu_stream_error err = { 0 };
    struct seen s = { 0 };
    unsigned int i, j;
    long len;
    int rc;

    lu_stream_begin(&w, buf, BUF_SIZE);
    for ( i = 0; i < RANGES / PER_RECORD; i++ )
    {
        for ( j = 0; j < PER_RECORD; j++ )
        {
            r[j].mfn = 0x100000 + 2ULL * (i * PER_RECORD + j);
            r[j].nr = 1;
        }
        lu_stream_add(&w, LU_REC_PRESERVED, LU_REC_F_MANDATORY, r, sizeof(r));
    }
    len = lu_stream_finish(&w);
    rc = lu_stream_parse(buf, len, reader, &s, &err);
    check("100000 preserved ranges parse", rc == 0 && s.ranges == RANGES,
          err.why ?: "count differs");
}

static void test_writer_full(void)
{
    struct lu_stream_writer w;
    struct lu_rec_range r = { 1, 1 };

    lu_stream_begin(&w, buf, sizeof(struct lu_stream_header) + 40);
    lu_stream_add(&w, LU_REC_PRESERVED, LU_REC_F_MANDATORY, &r, sizeof(r));
    lu_stream_add(&w, LU_REC_PRESERVED, LU_REC_F_MANDATORY, &r, sizeof(r));
    check("writer: a full buffer is -ENOSPC, not an overrun",
          lu_stream_finish(&w) == -ENOSPC, "no error");
}

/* Write the @len bytes of buf to @dir/seed-@n. */
static int write_seed(const char *dir, unsigned int n, long len)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/seed-%u", dir, n);
    f = fopen(path, "wb");
    if ( !f || fwrite(buf, 1, len, f) != (size_t)len || fclose(f) )
    {
        perror(path);
        return 2;
    }
    return 0;
}

/* Valid streams, as the fuzzer's seed corpus. */
static int write_seeds(const char *dir)
{
    return write_seed(dir, 0, sample_stream()) ?:
           write_seed(dir, 1, stream_with_unknown(0));
}

/* A stream of one record of @type, @len bytes of @body. */
static long one_record(uint32_t type, const void *body, uint32_t len)
{
    struct lu_stream_writer w;

    lu_stream_begin(&w, buf, BUF_SIZE);
    lu_stream_add(&w, type, LU_REC_F_MANDATORY, body, len);
    return lu_stream_finish(&w);
}

static void expect_parses(const char *name, long len)
{
    struct lu_stream_error err = { 0 };
    struct seen s = { 0 };

    check(name, lu_stream_parse(buf, len, reader, &s, &err) == 0 &&
          s.records == 1, err.why ?: "not read");
}

/* The domain records' form: what the parser itself refuses. */
static void test_domain_records(void)
{
    struct {
        struct lu_rec_domain d;
        uint64_t frame[2];
    } dom = { .d = { .max_vcpus = 2, .nr_grant_frames = 2 } };
    struct {
        struct lu_rec_domain_pages h;
        struct lu_rec_page_run run[2];
    } pages = { .run = { { .mfn = 0x1000, .gfn = 0, .nr = 16 },
                         { .mfn = 0x2000, .gfn = ~0ULL, .nr = 1,
                           .flags = 4 } } };
    struct {
        struct lu_rec_pv_vcpu v;
        uint8_t ctxt[64];
    } vcpu = { .v = { .ctxt_size = 48, .xsave_size = 16 } };
    struct {
        struct lu_rec_evtchns h;
        uint64_t array[1];
        struct lu_rec_evtchn port[2];
    } ev = { .h = { .fifo = 1, .nr_array = 1, .nr_ports = 2 },
             .port = { { .port = 1, .state = LU_EVTCHN_VIRQ },
                       { .port = 2, .state = LU_EVTCHN_IPI } } };
    struct lu_rec_system_time t = { .stime = 1 };

    expect_parses("domain: parses", one_record(LU_REC_DOMAIN, &dom,
                                               sizeof(dom)));
    expect_refused("domain: grant frames not the length's",
                   one_record(LU_REC_DOMAIN, &dom, sizeof(dom) - 8),
                   "DOMAIN record: length is not that of its grant frames");
    dom.d.max_vcpus = 0;
    expect_refused("domain: no vCPUs",
                   one_record(LU_REC_DOMAIN, &dom, sizeof(dom)),
                   "DOMAIN record: no vCPUs");

    expect_parses("domain pages: parse",
                  one_record(LU_REC_DOMAIN_PAGES, &pages, sizeof(pages)));
    pages.run[0].nr = 0;
    expect_refused("domain pages: empty run",
                   one_record(LU_REC_DOMAIN_PAGES, &pages, sizeof(pages)),
                   "DOMAIN_PAGES record: empty or wrapping run");
    pages.run[0].nr = 16;
    pages.run[1].flags = 5;
    expect_refused("domain pages: pinned at level 5",
                   one_record(LU_REC_DOMAIN_PAGES, &pages, sizeof(pages)),
                   "DOMAIN_PAGES record: unknown page flags");

    expect_parses("PV vCPU: parses",
                  one_record(LU_REC_PV_VCPU, &vcpu, sizeof(vcpu)));
    vcpu.v.xsave_size = 8;
    expect_refused("PV vCPU: contexts not the length's",
                   one_record(LU_REC_PV_VCPU, &vcpu, sizeof(vcpu)),
                   "PV_VCPU record: length is not that of its contexts");

    expect_parses("event channels: parse",
                  one_record(LU_REC_EVTCHNS, &ev, sizeof(ev)));
    ev.port[1].state = 6;
    expect_refused("event channels: unknown state",
                   one_record(LU_REC_EVTCHNS, &ev, sizeof(ev)),
                   "EVTCHNS record: invalid port");
    ev.port[1].state = LU_EVTCHN_IPI;
    ev.h.nr_array = 0x20000000;
    expect_refused("event channels: array beyond the record",
                   one_record(LU_REC_EVTCHNS, &ev, sizeof(ev)),
                   "EVTCHNS record: length is not that of its pages and "
                   "ports");

    expect_parses("system time: parses",
                  one_record(LU_REC_SYSTEM_TIME, &t, sizeof(t)));
    expect_refused("system time: wrong length",
                   one_record(LU_REC_SYSTEM_TIME, &t, sizeof(t) - 8),
                   "SYSTEM_TIME record: wrong length");
}

/* Physical IRQs and PCI devices: only the fields of each kind are set. */
static void test_interrupt_records(void)
{
    struct {
        struct lu_rec_pirqs h;
        struct lu_rec_pirq pirq[3];
    } pirqs = { .pirq = {
        { .pirq = 4, .type = LU_PIRQ_GSI, .gsi = 4 },
        { .pirq = 22, .type = LU_PIRQ_GSI, .gsi = 22,
          .flags = LU_PIRQ_F_LEVEL | LU_PIRQ_F_ACTIVE_LOW },
        { .pirq = 55, .type = LU_PIRQ_MSIX, .entry = 1, .sbdf = 0x0300,
          .table_base = 0xfebd1000, .flags = LU_PIRQ_F_GUEST_MASKED } } };
    struct {
        struct lu_rec_pci_devices h;
        struct lu_rec_pci_device dev[2];
    } devs = { .dev = { { .sbdf = 0x00fa, .node = 0xff },
                        { .sbdf = 0x0300, .node = 0xff,
                          .flags = LU_PCI_F_MSIX_MASKALL } } };

    expect_parses("pirqs: GSIs and an MSI-X vector parse",
                  one_record(LU_REC_PIRQS, &pirqs, sizeof(pirqs)));
    expect_refused("pirqs: a pirq cut short",
                   one_record(LU_REC_PIRQS, &pirqs, sizeof(pirqs) - 8),
                   "PIRQS record: length not a header and pirqs");
    pirqs.pirq[2].table_base = 0;
    expect_refused("pirqs: MSI-X without its table",
                   one_record(LU_REC_PIRQS, &pirqs, sizeof(pirqs)),
                   "PIRQS record: invalid pirq");
    pirqs.pirq[2].type = LU_PIRQ_MSI;
    pirqs.pirq[2].entry = 0;
    expect_parses("pirqs: an MSI parses",
                  one_record(LU_REC_PIRQS, &pirqs, sizeof(pirqs)));
    pirqs.pirq[1].sbdf = 0x0300;
    expect_refused("pirqs: a GSI naming a device",
                   one_record(LU_REC_PIRQS, &pirqs, sizeof(pirqs)),
                   "PIRQS record: invalid pirq");
    pirqs.pirq[1].sbdf = 0;
    pirqs.pirq[0].type = 3;
    expect_refused("pirqs: unknown type",
                   one_record(LU_REC_PIRQS, &pirqs, sizeof(pirqs)),
                   "PIRQS record: invalid pirq");

    expect_parses("PCI devices: parse",
                  one_record(LU_REC_PCI_DEVICES, &devs, sizeof(devs)));
    devs.dev[0].physfn = 0x0100;
    expect_refused("PCI devices: a PF named by what is no VF",
                   one_record(LU_REC_PCI_DEVICES, &devs, sizeof(devs)),
                   "PCI_DEVICES record: invalid device");
    devs.dev[0].flags = LU_PCI_F_VIRTFN;
    expect_parses("PCI devices: a VF and its PF parse",
                  one_record(LU_REC_PCI_DEVICES, &devs, sizeof(devs)));
    devs.dev[1].flags = 0x80;
    expect_refused("PCI devices: unknown flag",
                   one_record(LU_REC_PCI_DEVICES, &devs, sizeof(devs)),
                   "PCI_DEVICES record: invalid device");
}

/* lu-stream-test [SEED-DIR]: the tests, or only write fuzzer seeds. */
int main(int argc, char **argv)
{
    buf = calloc(1, BUF_SIZE + 64);
    if ( !buf )
        return 2;
    if ( argc == 2 )
        return write_seeds(argv[1]);

    test_round_trip();
    test_header_damage();
    test_record_damage();
    test_unknown_records();
    test_handover_time();
    test_domain_records();
    test_interrupt_records();
    test_scale();
    test_writer_full();

    free(buf);
    return failures ? 1 : 0;
}

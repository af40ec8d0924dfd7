#!/usr/bin/env python3
"""Benchmarks: each boots the release build under QEMU and measures, side
by side in one run, the thing an issue improves against what it is
compared with.  Prints a table and writes build/bench/results.json.

TCG timings vary from machine to machine and from boot to boot; only
ratios measured in the same run mean anything, and timed comparisons take
the median of several boots, alternating the two sides.

- boot to a working dom0 (DOM0-READY): UEFI against legacy BIOS.
- heap initialisation ("Heap initialised in N kcycles" on Xen's console)
  of one VM with liveupdate= against the same VM without: the cost of
  plugging RAM in after early boot instead of through the boot allocator.
- live update region: the smallest region Xen accepts ("early boot needs")
  against what early boot really used, for 2, 4 and 8 GiB of RAM.  Region
  sizes are multiples of 2 MiB, so the floor is also given rounded up to
  that; the smallest region is booted once to show it is enough.
- page offline: pages per second offlining then onlining 1 GiB of free
  memory with one xl call each, against 256 single-page xen-hptool runs
  and against the old sysctl over the same range (tests/bench/
  page-offline.sh in dom0, which prints "BENCH NAME NS PAGES" lines).
- page offline at DIMM size: xl page-offline and page-online of 64 GiB
  against 1 GiB in the same boot, per GiB (linear: about 1x) and in xl's
  peak resident memory (flat: about 1x), on a VM that declares 72 GiB
  without reserving it (tests/bench/page-offline-64g.sh).
- PV page exchange: how long xl page-offline pauses a running PV domU to
  move it off 64 of its pages, against saving and restoring the domU
  (what frees its pages without an exchange) and against one page
  (tests/bench/page-exchange.sh).
- HVM/PVH page replacement: how long Xen pauses a running PVH domU per
  page it moves the guest off (Xen's own measure, average and longest),
  and pages moved per second, for 64 MiB of the guest's memory; against
  migrating the domU to the same host, its downtime (the longest stop
  the guest's clock saw, from 10 ms up) and its total time (tests/bench/
  page-replace.sh).  The target: a pause per page at least 100 times
  shorter than the migration's downtime.
- live update (debug builds on both sides, as /boot/xen-next is one): the
  blackout, from the exec in the old Xen to the new one starting dom0
  ("dom0 starts N ms after the previous Xen began the handover"), against
  a cold boot of the same VM from Xen's entry to dom0 ("Starting dom0 N
  ms after Xen's entry"); and the new Xen's heap initialisation, which
  reads the state and plugs RAM in around what it keeps, with 1, 1000 and
  100000 preserved ranges against none (tests/bench/live-update.sh), and
  the time the small gaps between kept ranges take to join the heap once
  dom0 runs, against the blackout; medians of 3 boots each.
- live update carrying dom0 over (lu-dom0): dom0's blackout as the next
  Xen reports it, against a cold boot of the same VM (from QEMU's start
  to dom0's user space, and from Xen's entry to dom0), and against an
  update that rebuilds dom0; the largest gap dom0's own ticker saw,
  against Xen's figure; and the blackout phase by phase (the state and
  the jump, early boot, RAM plug-in, boot, dom0's restore or build, end
  of boot), carried against rebuilt (tests/bench/lu-carry.sh); medians of
  3 boots each.  The target: a blackout at most 0.1 of the cold boot.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
XEN = os.path.join(TOP, "build", "out", "xen-release")
XEN_DEBUG = os.path.join(TOP, "build", "out", "xen-debug")
HEAP_RUNS = 3           # boots per side for the heap-initialisation ratio
HEAP_MEMORY_MB = 4096   # the issue asks for at least 4 GiB
LU_GENEROUS = "256M"    # enough for early boot at every size measured
REGION_MEMORY_GB = (2, 4, 8)
LU_RANGES = (0, 1, 1000, 100000)
LU_RUNS = 3             # boots per case, for medians
# Room in dom0 for the 2 x 100000 pages "lu-preserve scatter" fills.
LU_XEN_ARGS = ("liveupdate=256M", "liveupdate-dom0=rebuild", "dom0_mem=1536M,max:1536M")


class BenchFailed(Exception):
    """A boot of a benchmark failed or did not show what it measures: that
    benchmark's row is reported as failed, and the others still run."""

    def __init__(self, name, why):
        super().__init__(f"{name}: {why} (log: build/runs/{name}/serial.log)")


def boot(name, boot_path="bios", memory_mb=2048, xen_args=(), script=None,
         xen=XEN, extra=()):
    """Boot to DOM0-READY and run @script in dom0 (default: none), with
    @extra arguments for qemu-run.py.  Returns the run's result.json and
    the console output; raises BenchFailed if the boot failed."""
    cmd = [os.path.join(TOP, "scripts", "qemu-run.py"), "--name", name,
           "--boot", boot_path, "--xen", xen, "--memory", str(memory_mb)]
    cmd += list(extra)
    for arg in xen_args:
        cmd += ["--xen-arg", arg]
    with tempfile.NamedTemporaryFile("w", suffix=".sh") as empty:
        empty.write("exit 0\n")
        empty.flush()
        subprocess.run(cmd + ["--script", script or empty.name])
    run_dir = os.path.join(TOP, "build", "runs", name)
    try:
        with open(os.path.join(run_dir, "result.json")) as f:
            result = json.load(f)
    except OSError:
        raise BenchFailed(name, "the runner left no result")
    if not result["pass"]:
        raise BenchFailed(name, result["reason"])
    with open(os.path.join(run_dir, "serial.log"), errors="replace") as f:
        console = f.read()
    return result, console


def console_number(console, pattern, name):
    """The number @pattern's group captures on the console."""
    m = re.search(pattern, console)
    if not m:
        raise BenchFailed(name, f"no '{pattern}' on Xen's console")
    return float(m.group(1))


def heap_kcycles(console, name):
    return console_number(console, r"Heap initialised in (\d+) kcycles",
                          name)


def row(benchmark, measured, value, baseline, baseline_value, digits=1):
    return {"benchmark": benchmark,
            "measured": measured, "value": round(value, digits),
            "baseline": baseline,
            "baseline_value": round(baseline_value, digits),
            "ratio": round(value / baseline_value, 2)}


def bench_boot_time():
    bios, _ = boot("bench-boot-bios", "bios")
    uefi, _ = boot("bench-boot-uefi", "uefi")
    return [row("boot to working dom0 (s)",
                "uefi", uefi["seconds_to_dom0_ready"],
                "bios", bios["seconds_to_dom0_ready"])]


def bench_heap_init():
    plain, lu = [], []
    for i in range(HEAP_RUNS):
        print(f"  BENCH   heap initialisation, {HEAP_MEMORY_MB} MiB, "
              f"boot {i + 1} of {HEAP_RUNS} each way", flush=True)
        name = f"bench-heap-plain-{i}"
        _, console = boot(name, memory_mb=HEAP_MEMORY_MB)
        plain.append(heap_kcycles(console, name))
        name = f"bench-heap-lu-{i}"
        _, console = boot(name, memory_mb=HEAP_MEMORY_MB,
                          xen_args=[f"liveupdate={LU_GENEROUS}"])
        if "liveupdate: early boot used" not in console:
            raise BenchFailed(name, "the region was not used")
        lu.append(heap_kcycles(console, name))
    return [row(f"heap init, {HEAP_MEMORY_MB // 1024} GiB (Mcycles)",
                "liveupdate", statistics.median(lu) / 1000,
                "plain", statistics.median(plain) / 1000)]


def region_need(gib):
    """(need, used) in MiB for @gib of RAM, the need booted to prove it."""
    mb = gib * 1024
    name = f"bench-region-{gib}g"
    _, console = boot(name, memory_mb=mb,
                      xen_args=[f"liveupdate={LU_GENEROUS}"])
    need = console_number(console, r"early boot needs (\d+) MiB", name)

    name = f"bench-region-{gib}g-min"
    _, console = boot(name, memory_mb=mb,
                      xen_args=[f"liveupdate={int(need)}M"])
    used = console_number(console, r"early boot used ([\d.]+) MiB", name)
    return need, used


def bench_region():
    rows = []
    for gib in REGION_MEMORY_GB:
        print(f"  BENCH   live update region, {gib} GiB", flush=True)
        need, used = region_need(gib)
        rows.append(row(f"region, {gib} GiB RAM (MiB)",
                        "min", need, "used", used, digits=2))
        floor = -(-used // 2) * 2
        rows.append(row(f"region, {gib} GiB, in 2 MiB units (MiB)",
                        "min", need, "floor", floor, digits=2))
    return rows


def dom0_bench(name, script, memory_mb=4096):
    """Run tests/bench/@script in dom0; its "BENCH NAME NS PAGES" lines as
    {NAME: (NS, PAGES)}."""
    _, console = boot(name, memory_mb=memory_mb, script=os.path.join(
        TOP, "tests", "bench", script))
    return {m.group(1): (int(m.group(2)), int(m.group(3)))
            for m in re.finditer(r"^BENCH (\S+) (\d+) (\d+)", console,
                                 re.M)}


def bench_page_offline():
    print("  BENCH   page offline, 1 GiB", flush=True)
    ns = dom0_bench("bench-page-offline", "page-offline.sh")

    def rate(tool):
        """Pages per second offlining then onlining with @tool."""
        off, on = ns[tool + "-offline"], ns[tool + "-online"]
        return (off[1] + on[1]) / ((off[0] + on[0]) / 1e9)

    xl, old, new, hptool = (rate(t) for t in ("xl", "old", "new", "hptool"))
    return [row("offline+online, pages/s", "xl", xl, "hptool", hptool, 0),
            row("offline+online, pages/s", "xl", xl, "old sysctl", old, 0),
            row("offline+online, pages/s", "new sysctl", new,
                "old sysctl", old, 0)]


def bench_page_offline_64g():
    print("  BENCH   page offline, 64 GiB against 1 GiB", flush=True)
    name = "bench-page-offline-64g"
    # 72 GiB declared, not reserved; dom0 kept small; no boot scrub.
    _, console = boot(name, memory_mb=72 * 1024,
                      xen_args=("bootscrub=0", "dom0_mem=1024M,max:1024M"),
                      script=os.path.join(TOP, "tests", "bench",
                                          "page-offline-64g.sh"))
    ns = {m.group(1): int(m.group(2)) for m in
          re.finditer(r"^BENCH (\S+) (\d+) \d+", console, re.M)}
    rss = {m.group(1): int(m.group(2)) for m in
           re.finditer(r"^RSS (\S+) (\d+)", console, re.M)}
    want = [f"xl-{op}-{size}" for op in ("offline", "online")
            for size in ("1g", "64g")]
    if any(w not in ns or w not in rss for w in want):
        raise BenchFailed(name, "the dom0 script did not time every step")
    return [row("xl page-offline, ms per GiB", "64 GiB",
                ns["xl-offline-64g"] / 64 / 1e6, "1 GiB",
                ns["xl-offline-1g"] / 1e6),
            row("xl page-online, ms per GiB", "64 GiB",
                ns["xl-online-64g"] / 64 / 1e6, "1 GiB",
                ns["xl-online-1g"] / 1e6),
            row("xl page-offline, peak RSS (KiB)", "64 GiB",
                rss["xl-offline-64g"], "1 GiB", rss["xl-offline-1g"], 0)]


def bench_page_exchange():
    print("  BENCH   PV page exchange", flush=True)
    ns = dom0_bench("bench-page-exchange", "page-exchange.sh")
    one, many, save = (ns[n][0] / 1e6 for n in
                       ("exchange-1", "exchange-64", "save-restore"))
    return [row("PV domU paused (ms)", "exchange 64 pages", many,
                "save+restore", save, 0),
            row("PV domU paused (ms)", "exchange 64 pages", many,
                "exchange 1 page", one, 0)]


def bench_page_replace():
    print("  BENCH   HVM/PVH page replacement, 64 MiB", flush=True)
    # 2 GiB: all of it below 4 GiB, where find_chunk looks.
    ns = dom0_bench("bench-page-replace", "page-replace.sh", memory_mb=2048)
    ms = {n: ns[n][0] / 1e6 for n in
          ("replace-pause-avg", "replace-pause-max", "replace-guest-gap",
           "replace-64m", "migrate-downtime", "migrate")}
    pages = ns["replace-pages"][1]
    # Migration first: the ratios say how many times longer it stops
    # the guest than Xen's pause for a page (the target: 100 or more).
    return [row("PVH domU stopped (ms)", "migration downtime",
                ms["migrate-downtime"], "pause per page",
                ms["replace-pause-avg"], 3),
            row("PVH domU stopped (ms)", "migration downtime",
                ms["migrate-downtime"], "longest pause",
                ms["replace-pause-max"], 3),
            # 0: the guest never saw a stop of 10 ms or more.
            row("longest stop the guest saw (ms)", "replace 64 MiB",
                ms["replace-guest-gap"], "migration",
                ms["migrate-downtime"], 0),
            row("PVH domU, 64 MiB (pages/s)", "replace",
                pages / (ms["replace-64m"] / 1e3), "migrate",
                pages / (ms["migrate"] / 1e3), 0)]


def live_update(ranges, run):
    """(blackout ms, heap initialisation kcycles, ms spent adding the small
    gaps between kept ranges once dom0 runs) of the Xen a live update
    starts, with @ranges preserved ranges."""
    print(f"  BENCH   live update with {ranges} preserved ranges, "
          f"boot {run + 1} of {LU_RUNS}", flush=True)
    name = f"bench-lu-{ranges}-{run}"
    _, console = boot(
        name, memory_mb=4096, xen_args=LU_XEN_ARGS, xen=XEN_DEBUG,
        script=os.path.join(TOP, "tests", "bench", "live-update.sh"),
        extra=["--timeout", "1800",
               "--env", f"RANGES={ranges}"])
    # The new Xen's lines come after the handover.
    handover = console.find("liveupdate: handing over")
    if handover < 0:
        raise BenchFailed(name, "no handover on the console")
    after = console[handover:]
    small = re.search(r"small gaps between kept ranges .* added to the heap "
                      r"in (\d+) ms, with dom0 running", after)
    return (console_number(after, r"dom0 starts (\d+) ms after the previous "
                           r"Xen began the handover", name),
            heap_kcycles(after, name),
            int(small.group(1)) if small else 0)


def cold_boot_times(run):
    """The runner's result (seconds_to_dom0_ready: from QEMU's start, the
    firmware's, to dom0's user space), and Xen's entry to dom0 in ms, of a
    cold boot of the same VM."""
    print(f"  BENCH   cold boot of the live update VM, boot {run + 1} of "
          f"{LU_RUNS}", flush=True)
    name = f"bench-lu-cold-{run}"
    result, console = boot(name, memory_mb=4096, xen_args=LU_XEN_ARGS,
                           xen=XEN_DEBUG)
    return result, console_number(console, r"Starting dom0 (\d+) ms after "
                                  r"Xen's entry", name)


def cold_boot(run):
    """Xen's entry to dom0, in ms, in a cold boot of the same VM."""
    return cold_boot_times(run)[1]


# The next Xen's split of dom0's blackout (lu_report_blackout()).
LU_PHASES = ("before this Xen (the state, the jump)", "early boot",
             "RAM plug-in", "boot", "dom0", "end of boot")
# A dom0 of the same size as LU_XEN_ARGS', carried over.
LU_CARRY_XEN_ARGS = ("liveupdate=256M", "dom0_mem=1536M,max:1536M")


def blackout(console, name):
    """dom0's blackout (ms) and its phases, as the next Xen reports them."""
    handover = console.find("liveupdate: handing over")
    if handover < 0:
        raise BenchFailed(name, "no handover on the console")
    after = console[handover:]
    total = console_number(after, r"dom0 starts (\d+) ms after the previous "
                           r"Xen began the handover", name)
    phases = {p: console_number(after, r"blackout phase: " + re.escape(p) +
                                r": (\d+) ms", name) for p in LU_PHASES}
    return total, phases


def dom0_update(carry, run):
    """(blackout ms, phases, dom0's own largest clock gap in ms or None)
    of a live update that carries dom0 over, or rebuilds it."""
    kind = "carried" if carry else "rebuilt"
    print(f"  BENCH   live update, dom0 {kind}, boot {run + 1} of {LU_RUNS}",
          flush=True)
    name = f"bench-lu-{kind}-{run}"
    script = "lu-carry.sh" if carry else "live-update.sh"
    _, console = boot(name, memory_mb=4096,
                      xen_args=LU_CARRY_XEN_ARGS if carry else LU_XEN_ARGS,
                      xen=XEN_DEBUG,
                      script=os.path.join(TOP, "tests", "bench", script),
                      extra=["--env", "RANGES=0"])
    total, phases = blackout(console, name)
    gap = console_number(console, r"BENCH-TICKER-GAP-US (\d+)",
                         name) / 1000 if carry else None
    return total, phases, gap


def bench_lu_dom0():
    colds, readies, carried, rebuilt = [], [], [], []
    for run in range(LU_RUNS):
        result, ms = cold_boot_times(run)
        colds.append(ms)
        readies.append(result["seconds_to_dom0_ready"] * 1000)
        carried.append(dom0_update(True, run))
        rebuilt.append(dom0_update(False, run))
    med = statistics.median
    carry = med(c[0] for c in carried)
    rows = [row("dom0 carried: blackout (ms)", "live update", carry,
                "cold boot to dom0 user", med(readies), 0),
            row("dom0 carried: blackout (ms)", "live update", carry,
                "cold boot, Xen to dom0", med(colds), 0),
            row("dom0 carried: blackout (ms)", "live update", carry,
                "dom0 rebuilt", med(r[0] for r in rebuilt), 0),
            row("dom0 carried: its clock's gap (ms)", "dom0's ticker",
                med(c[2] for c in carried), "Xen's figure", carry, 0)]
    rows += [row(f"phase: {p} (ms)", "dom0 carried",
                 med(c[1][p] for c in carried), "dom0 rebuilt",
                 med(r[1][p] for r in rebuilt), 0) for p in LU_PHASES]
    return rows


def bench_live_update():
    colds, samples = [], {n: [] for n in LU_RANGES}
    # Alternate the cases, so that a slow spell of the host weighs on all.
    for run in range(LU_RUNS):
        colds.append(cold_boot(run))
        for n in LU_RANGES:
            samples[n].append(live_update(n, run))
    cold = statistics.median(colds)
    runs = {n: tuple(statistics.median(s[i] for s in samples[n])
                     for i in range(3)) for n in LU_RANGES}
    rows = [row("blackout, debug Xen (ms)", "live update", runs[0][0],
                "cold boot", cold, 0)]
    rows += [row("new Xen's heap init (Mcycles)", f"{n} ranges",
                 runs[n][1] / 1000, "none", runs[0][1] / 1000)
             for n in LU_RANGES[1:]]
    rows.append(row("blackout, debug Xen (ms)",
                    f"{LU_RANGES[-1]} ranges", runs[LU_RANGES[-1]][0],
                    "none", runs[0][0], 0))
    # Not in the blackout: the small gaps join the heap with dom0 running.
    rows.append(row("small gaps, dom0 running (ms)",
                    f"{LU_RANGES[-1]} ranges", runs[LU_RANGES[-1]][2],
                    "blackout", runs[LU_RANGES[-1]][0], 0))
    return rows


BENCHMARKS = {"boot": bench_boot_time, "heap": bench_heap_init,
              "region": bench_region, "page-offline": bench_page_offline,
              "page-offline-64g": bench_page_offline_64g,
              "page-exchange": bench_page_exchange,
              "page-replace": bench_page_replace,
              "live-update": bench_live_update, "lu-dom0": bench_lu_dom0}


def main():
    """tests/bench.py [NAME...]: all benchmarks, or those named."""
    names = sys.argv[1:] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        sys.exit(f"bench: no benchmark {' '.join(unknown)}; "
                 f"there are: {' '.join(BENCHMARKS)}")
    rows, failed = [], []
    for n in names:
        try:
            rows += BENCHMARKS[n]()
        except BenchFailed as e:
            print(f"  FAILED  benchmark {n}: {e}", flush=True)
            failed.append({"benchmark": n, "failed": str(e)})

    out = os.environ.get("BENCH_RESULTS",
                         os.path.join(TOP, "build", "bench", "results.json"))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"xen": "release", "results": rows, "failed": failed},
                  f, indent=1)

    print(f"\n{'benchmark':38} {'measured':>22} {'baseline':>22} {'ratio':>6}")
    for r in rows:
        print(f"{r['benchmark']:38} "
              f"{r['measured'] + ' ' + str(r['value']):>22} "
              f"{r['baseline'] + ' ' + str(r['baseline_value']):>22} "
              f"{r['ratio']:>6}")
    for r in failed:
        print(f"{r['benchmark']:38} FAILED: {r['failed']}")
    print(f"\nresults: {os.path.relpath(out)}")
    return 1 if failed else 0


sys.exit(main())

#!/usr/bin/env python3
"""Benchmarks: each boots the release build under QEMU and measures, side
by side in one run, the thing a later issue improves against what it is
compared with.  Prints a table and writes build/bench/results.json.

For now one baseline: wall-clock time from QEMU start to a working dom0
(DOM0-READY), legacy BIOS multiboot against UEFI.  TCG timings vary from
machine to machine; only ratios measured in the same run mean anything.
"""

import json
import os
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
XEN = os.path.join(TOP, "build", "out", "xen-release")


def boot(name, boot_path):
    """Boot to DOM0-READY with an empty dom0 script; seconds it took."""
    with tempfile.NamedTemporaryFile("w", suffix=".sh") as script:
        script.write("exit 0\n")
        script.flush()
        subprocess.run([os.path.join(TOP, "scripts", "qemu-run.py"),
                        "--name", name, "--boot", boot_path, "--xen", XEN,
                        "--script", script.name], check=True)
    with open(os.path.join(TOP, "build", "runs", name, "result.json")) as f:
        return json.load(f)["seconds_to_dom0_ready"]


def main():
    rows = []
    bios = boot("bench-boot-bios", "bios")
    uefi = boot("bench-boot-uefi", "uefi")
    rows.append({"benchmark": "boot to working dom0 (s)",
                 "measured": "uefi", "value": round(uefi, 1),
                 "baseline": "bios", "baseline_value": round(bios, 1),
                 "ratio": round(uefi / bios, 2)})

    out_dir = os.path.join(TOP, "build", "bench")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump({"xen": "release", "results": rows}, f, indent=1)

    print(f"\n{'benchmark':34} {'measured':>14} {'baseline':>14} {'ratio':>6}")
    for r in rows:
        print(f"{r['benchmark']:34} "
              f"{r['measured'] + ' ' + str(r['value']):>14} "
              f"{r['baseline'] + ' ' + str(r['baseline_value']):>14} "
              f"{r['ratio']:>6}")
    print("\nresults: build/bench/results.json")


sys.exit(main())

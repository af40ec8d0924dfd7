#!/usr/bin/env python3
"""Boot Xen with a Linux dom0 under QEMU once and decide pass or fail.

The boot protocol (markers, declarations, what a script is told) is
scripts/xenboot.py's; this is its command line, for 'make run', 'make
shell' and the benchmarks.  A test script of tests/boot/ runs as the
suite runs it, with --case CASE for one of its '# boot:' lines.

Exit status: 0 pass, 1 fail, 2 usage or setup error.  The last line is
    RESULT <name> <pass|fail> <checks passed> <checks failed> <reason>
and build/runs/NAME/result.json holds the same, with timings.
"""

import argparse
import os
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xenboot  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--name", required=True, help="names build/runs/NAME")
    p.add_argument("--boot", choices=xenboot.BOOT_PATHS, default="bios")
    p.add_argument("--xen", help="directory holding xen and xen.efi "
                   "(default build/out/xen-debug)")
    p.add_argument("--kernel", help="dom0's kernel")
    p.add_argument("--initrd", help="dom0's base initramfs")
    p.add_argument("--script", help="dom0 script run as /test/run")
    p.add_argument("--case", help="the script's '# boot: CASE' line to run: "
                   "its Xen arguments, CASE in /test/env, its check count")
    p.add_argument("--shell", action="store_true",
                   help="interactive dom0 shell on this terminal")
    p.add_argument("--xen-arg", action="append", default=[],
                   help="added to Xen's command line")
    p.add_argument("--dom0-arg", action="append", default=[],
                   help="added to dom0's command line")
    p.add_argument("--env", action="append", default=[],
                   help="NAME=VALUE put in /test/env for the script")
    p.add_argument("--memory", type=int, help="MiB (QEMU_MEMORY_MB)")
    p.add_argument("--timeout", type=int, help="seconds (QEMU_TIMEOUT)")
    p.add_argument("--ready-timeout", type=int,
                   help="seconds to DOM0-READY (QEMU_READY_TIMEOUT)")
    p.add_argument("--poweroff-grace", type=int, default=60,
                   help="seconds dom0 has to power off after the script")
    p.add_argument("--ovmf-code", default="/usr/share/OVMF/OVMF_CODE.fd")
    p.add_argument("--ovmf-vars", default="/usr/share/OVMF/OVMF_VARS.fd")
    p.add_argument("--follow", action="store_true",
                   help="copy the serial console to stdout as it comes")
    p.add_argument("--print-command", action="store_true",
                   help="print the QEMU command line (and, for UEFI, "
                   "where Xen's command line is) and do not boot")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print the QEMU command line")
    args = p.parse_args()
    if not args.script and not args.shell:
        p.error("give --script FILE or --shell")

    xen_args, min_checks = list(args.xen_arg), 0
    env = dict(e.split("=", 1) for e in args.env)
    if args.case:
        if not args.script:
            p.error("--case needs --script")
        case = xenboot.find_case(args.script, args.case)
        try:
            xen_args = case.xen_args_with(env) + xen_args
        except KeyError as e:
            p.error(f"case {case.name} needs --env {e.args[0]}=VALUE, "
                    "which an earlier case hands on in the suite")
        env["CASE"] = case.name
        min_checks = case.min_checks
    boot = xenboot.Boot(args.name, args.boot, args.script, xen_args,
                        args.dom0_arg, env, args.shell, args.xen,
                        args.kernel, args.initrd, args.memory, args.timeout,
                        args.ready_timeout, min_checks, args.poweroff_grace,
                        args.ovmf_code, args.ovmf_vars)

    if args.print_command or args.verbose or args.shell:
        cmd = boot.prepare()
        print("  QEMU    " + shlex.join(cmd), flush=True)
        if args.boot == "uefi":
            print(f"  XEN     command line in {boot.esp_cfg()}:\n" +
                  open(boot.esp_cfg()).read(), flush=True)
        if args.print_command:
            return 0
    if args.shell:
        return subprocess.call(cmd)

    result = boot.run(args.follow)
    print(f"RESULT {result['name']} {'pass' if result['pass'] else 'fail'} "
          f"{result['checks_passed']} {result['checks_failed']} "
          f"{result['reason'] or 'ok'}")
    return 0 if result["pass"] else 1


sys.exit(main())

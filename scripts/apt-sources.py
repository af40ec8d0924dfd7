#!/usr/bin/env python3
"""Print a sources.list for the project-local apt configuration.

The mirror is taken from the machine's own apt sources (one-line
sources.list entries and deb822 .sources files), so users keep their
own mirrors and nothing in this repository names a host.  We keep the
entries for the Debian release this machine runs (its codename, plus
-updates and -security), and emit both 'deb' (the test VM's kernel and
kexec-tools) and 'deb-src' (the Xen source package) lines for them.
"""

import glob
import os
import sys


def codename():
    with open("/etc/os-release") as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            if key == "VERSION_CODENAME":
                return value.strip('"')
    sys.exit("apt-sources: no VERSION_CODENAME in /etc/os-release")


def one_line_entries(path):
    with open(path) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if len(words) >= 3 and words[0] in ("deb", "deb-src"):
                if words[1].startswith("["):  # Options: [arch=amd64 ...]
                    while words and not words[1].endswith("]"):
                        words.pop(1)
                    words.pop(1)
                yield words[1], [words[2]], words[3:]


def deb822_entries(path):
    with open(path) as f:
        stanzas = f.read().split("\n\n")
    for stanza in stanzas:
        fields = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line:
                continue
            key, _, value = line.partition(":")
            fields[key.strip().lower()] = value.split()
        if fields.get("enabled", ["yes"])[0] == "no":
            continue
        for uri in fields.get("uris", []):
            yield uri, fields.get("suites", []), fields.get("components", [])


def main():
    release = codename()
    wanted = {release, release + "-updates", release + "-security"}
    entries = []
    for path in ["/etc/apt/sources.list"] + \
            sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        if os.path.exists(path):
            entries += one_line_entries(path)
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        entries += deb822_entries(path)

    seen = set()
    for uri, suites, components in entries:
        for suite in suites:
            if suite not in wanted or "main" not in components:
                continue
            if (uri, suite) in seen:
                continue
            seen.add((uri, suite))
            for kind in ("deb", "deb-src"):
                print(f"{kind} {uri} {suite} main")
    if not seen:
        sys.exit(f"apt-sources: the machine's apt sources have no "
                 f"'{release}' entry with component 'main'; add a Debian "
                 f"mirror to /etc/apt/sources.list")


main()

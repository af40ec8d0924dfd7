#!/bin/sh
# Install the Debian packages the host needs (config/host-packages).
# Idempotent: only missing packages are installed, and it says which.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
wanted=$(grep -v '^#' "$top/config/host-packages" | grep .)

missing=
for pkg in $wanted; do
    dpkg-query -W -f '${Status}\n' "$pkg" 2>/dev/null |
        grep -q '^install ok installed$' || missing="$missing $pkg"
done

if [ -z "$missing" ]; then
    echo "  DEPS    all $(echo "$wanted" | wc -l) host packages present"
    exit 0
fi

echo "  DEPS    installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo > /dev/null; then
        as_root=sudo
    else
        echo "deps: these Debian packages are missing:$missing" >&2
        echo "deps: run 'make deps' as root (or install them yourself)" >&2
        exit 1
    fi
fi
${as_root:-} apt-get update -q > /dev/null
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive ${as_root:-} apt-get install -y -q \
    --no-install-recommends $missing

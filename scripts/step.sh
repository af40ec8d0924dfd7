#!/bin/sh
# Run one long build step quietly: its output goes to a log under
# build/logs, a progress line is printed every 30 s, and on failure the
# end of the log is shown with its path.  V=1 shows the output instead.
#
# Usage: step.sh "what it does" LOGNAME command [args...]
set -eu

what=$1
log=$(cd "$(dirname "$0")/.." && pwd)/build/logs/$2.log
shift 2
mkdir -p "$(dirname "$log")"

if [ "${V:-0}" = 1 ]; then
    echo "  RUN     $what: $*"
    exec "$@"
fi

start=$(date +%s)
echo "  START   $what (log: ${log#"$PWD"/})"
"$@" > "$log" 2>&1 &
job=$!
(
    while sleep 30 > /dev/null; do
        echo "  ...     $what: $(($(date +%s) - start)) s so far"
    done
) &
ticker=$!
trap 'kill "$ticker" "$job" 2>/dev/null' INT TERM
trap 'kill "$ticker" 2>/dev/null' EXIT
status=0
wait "$job" || status=$?
took=$(($(date +%s) - start))
if [ "$status" -ne 0 ]; then
    tail -n 30 "$log" >&2
    echo "step: $what failed after $took s (exit $status); the whole log is" \
         "$log" >&2
    exit "$status"
fi
echo "  DONE    $what in $took s"

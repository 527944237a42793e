#!/bin/sh
# Runs the given make targets at the same time (each integration run is mostly
# waiting on Apache, MariaDB and the fake Reverb: about a fifth of a core), each
# with its own log in build/logs/; prints every log once all have ended, and
# fails if any failed. Usage: scripts/parallel.sh target...
set -u
mkdir -p build/logs
pids=""
for t in "$@"; do
    make --no-print-directory "$t" > "build/logs/$t.log" 2>&1 &
    pids="$pids $!:$t"
    echo "started make $t (log build/logs/$t.log)"
done
fail=0
for pt in $pids; do
    pid=${pt%%:*}; t=${pt#*:}
    if wait "$pid"; then status=ok; else status=FAILED; fail=1; fi
    echo "=== make $t: $status ==="
    if [ "$status" = ok ]; then tail -n 3 "build/logs/$t.log"; else cat "build/logs/$t.log"; fi
done
exit $fail

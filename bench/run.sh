#!/bin/sh
# make bench: figures, not assertions. See bench/bench.py for the sizes.
set -e
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/bench.py "$@"

#!/bin/sh
# embed.sh NAME FILE > header: a C array NAME holding FILE's bytes plus a NUL,
# so sql/ and assets/ ship inside the module (no install paths to get wrong),
# and NAME_etag, a quoted HTTP entity tag made of the file's SHA-256 (the
# admin's JS and CSS are revalidated against it: a new build is never stale).
set -eu
name=$1; file=$2
echo "/* generated from $file by scripts/embed.sh: do not edit */"
echo "static const char $name[] = {"
od -An -v -tx1 "$file" | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g' -e 's/^/ /'
echo " 0x00 };"
echo "#define ${name}_etag \"\\\"$(sha256sum "$file" | cut -c1-16)\\\"\""

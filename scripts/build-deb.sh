#!/bin/sh
# Builds dist/libapache2-mod-reverb_<version>_<arch>.deb with Debian's own
# tooling (dpkg-buildpackage, debhelper, dh_apache2) from a copy of the
# tree in build/deb/, then checks it with lintian. The version is
# RV_VERSION in src/rv_conf.h (the only place it is written); the
# changelog is generated from it. Packages every dist/*.ocmod.zip present.
set -eu
cd "$(dirname "$0")/.."
ver=$(sed -n 's/^#define RV_VERSION "\([^"]*\)".*/\1/p' src/rv_conf.h)
[ -n "$ver" ] || { echo "deb: no RV_VERSION in src/rv_conf.h" >&2; exit 1; }
arch=$(dpkg --print-architecture)
pkg=libapache2-mod-reverb
ls dist/*.ocmod.zip >/dev/null 2>&1 || { echo "deb: no dist/*.ocmod.zip: run make ocmod" >&2; exit 1; }

stage=build/deb
src="$stage/$pkg-$ver"
rm -rf "$stage" && mkdir -p "$src"
tar cf - --exclude=.libs --exclude='*.o' --exclude='*.lo' --exclude='*.slo' \
    --exclude='*.la' --exclude=src/gen \
    mod_reverb.c src Makefile.apxs scripts/embed.sh conf sql assets debian README.md \
    dist/*.ocmod.zip | tar xf - -C "$src"

# The changelog's date is the last commit's, so the same tree builds the
# same package (SOURCE_DATE_EPOCH comes from it).
date=$(git log -1 --format=%cD 2>/dev/null || true)
[ -n "$date" ] || date=$(date -R)
maint=$(sed -n 's/^Maintainer: //p' debian/control)
cat > "$src/debian/changelog" <<CHL
$pkg ($ver) unstable; urgency=medium

  * mod_reverb $ver (see README.md).

 -- $maint  $date
CHL

if ! (cd "$src" && dpkg-buildpackage -b -us -uc) > "$stage/build.log" 2>&1; then
    tail -n 40 "$stage/build.log" >&2
    echo "deb: dpkg-buildpackage failed (log: $stage/build.log)" >&2
    exit 1
fi
deb="${pkg}_${ver}_${arch}.deb"
[ -f "$stage/$deb" ] || { echo "deb: $stage/$deb was not built" >&2; exit 1; }

# Lintian: no error or warning may remain; each overridden tag is
# explained in debian/libapache2-mod-reverb.lintian-overrides.
if command -v lintian >/dev/null 2>&1; then
    lintian --fail-on error,warning --info "$stage/$deb"
else
    echo "deb: lintian is not installed (make deps installs it)" >&2
    exit 1
fi
mkdir -p dist
rm -f dist/${pkg}_*.deb
cp "$stage/$deb" dist/
echo "built dist/$deb"

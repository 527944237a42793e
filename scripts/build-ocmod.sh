#!/bin/sh
# Builds dist/reverb.ocmod.zip in the layout OpenCart 3's Extension Installer
# accepts: install.xml at the root of the zip, the files under upload/.
set -eu
cd "$(dirname "$0")/.."
rm -rf dist/ocmod && mkdir -p dist/ocmod
cp ocmod/install.xml dist/ocmod/
cp -r ocmod/upload dist/ocmod/
rm -f dist/reverb.ocmod.zip
(cd dist/ocmod && zip -qr -X ../reverb.ocmod.zip install.xml upload)
rm -rf dist/ocmod
echo "built dist/reverb.ocmod.zip"

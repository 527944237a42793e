#!/bin/sh
# Builds the OpenCart admin packages:
#   dist/reverb.ocmod.zip           OpenCart 3.0.x: install.xml at the root, files under upload/
#   dist/opencart4/reverb.ocmod.zip OpenCart 4.0.2.x: install.json and admin/ at the root.
# The 4.0 zip must keep the name reverb.ocmod.zip: 4.0's installer names the
# extension folder after the zip (extension/reverb/), and the folder gives
# the controller's namespace and the permission key extension/reverb/module/reverb
# (a name such as reverb-oc4 would give a folder OpenCart cannot route to).
set -eu
cd "$(dirname "$0")/.."
rm -rf dist/ocmod && mkdir -p dist/ocmod
cp ocmod/install.xml dist/ocmod/
cp -r ocmod/upload dist/ocmod/
rm -f dist/reverb.ocmod.zip
(cd dist/ocmod && zip -qr -X ../reverb.ocmod.zip install.xml upload)
rm -rf dist/ocmod
echo "built dist/reverb.ocmod.zip (OpenCart 3.0.x)"

mkdir -p dist/opencart4
rm -f dist/opencart4/reverb.ocmod.zip
(cd opencart4 && zip -qr -X ../dist/opencart4/reverb.ocmod.zip install.json admin catalog)
echo "built dist/opencart4/reverb.ocmod.zip (OpenCart 4.0.2.x; upload it under this name)"

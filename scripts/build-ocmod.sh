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

# The language file is the 3.0 package's (the same keys and PHP form): one
# copy in the repository, placed where 4.0 looks for it.
rm -rf dist/oc4 && mkdir -p dist/oc4 dist/opencart4
cp -r opencart4/install.json opencart4/admin opencart4/catalog dist/oc4/
mkdir -p dist/oc4/admin/language/en-gb/module
cp ocmod/upload/admin/language/en-gb/extension/module/reverb.php dist/oc4/admin/language/en-gb/module/
rm -f dist/opencart4/reverb.ocmod.zip
(cd dist/oc4 && zip -qr -X ../opencart4/reverb.ocmod.zip install.json admin catalog)
rm -rf dist/oc4
echo "built dist/opencart4/reverb.ocmod.zip (OpenCart 4.0.2.x; upload it under this name)"

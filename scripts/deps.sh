#!/bin/sh
# Install every Debian package the build, the tests and the demo need.
# Idempotent and quiet: when everything is present it only runs dpkg-query.
set -eu

PKGS="build-essential pkg-config curl ca-certificates zip unzip procps psmisc
apache2 apache2-dev apache2-utils libaprutil1-dbd-mysql
mariadb-server mariadb-client
libcurl4-openssl-dev libssl-dev libjson-c-dev libcmocka-dev
python3 python3-pytest python3-pymysql
valgrind clang libclang-rt-14-dev wrk
php-cli php-xml nodejs chromium
libjs-bootstrap libjs-jquery fonts-font-awesome
libapache2-mod-php php-mysql php-curl php-gd php-mbstring php-zip
debhelper dpkg-dev lintian"

missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in *" installed") ;; *) missing="$missing $p" ;; esac
done

if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
    # Installing enables system services at boot; this project only ever
    # runs private instances, so switch the system ones off again.
    for s in apache2 mariadb apache-htcacheclean; do
        $SUDO systemctl disable "$s" >/dev/null 2>&1 || true
        $SUDO update-rc.d "$s" disable >/dev/null 2>&1 || true
    done
    $SUDO systemctl disable phpsessionclean.timer >/dev/null 2>&1 || true
fi
echo "deps: all packages present"
# npm ships inside NodeSource's nodejs; Debian's own nodejs needs the npm package.
if ! command -v npm >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

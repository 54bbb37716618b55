#!/bin/sh
# Installs the Debian packages fozzy needs, if any is missing (needs root or sudo).
set -e
pkgs="build-essential pkg-config libseccomp-dev libcjson-dev libxxhash-dev libcurl4-openssl-dev libzip-dev check xxhash python3 clang libclang-rt-14-dev llvm"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing

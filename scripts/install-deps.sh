#!/bin/sh
# Install the Debian packages nsjudge needs to build, test and judge.
# Only runs apt-get when something is missing, so `make` stays fast on a
# machine that already has everything. Non-root users get a message instead.
set -e

BUILD_PKGS="gcc make pkg-config libc6-dev libmicrohttpd-dev libjansson-dev
libseccomp-dev libcriterion-dev libyaml-dev libsqlite3-dev
libcurl4-openssl-dev libarchive-dev libcap-dev nettle-dev sqlite3 curl iproute2
libpq-dev postgresql"
# make fuzz (and the fuzz part of make test): clang with libFuzzer and the
# sanitizer runtimes (libclang-rt-14-dev holds libclang_rt.fuzzer*.a).
FUZZ_PKGS="clang-14 libclang-rt-14-dev"
# Toolchains for the language table (configs/languages.json).
LANG_PKGS="g++ python3 default-jdk-headless kotlin fp-compiler gnat gfortran nodejs perl rustc"

missing=""
for p in $BUILD_PKGS $FUZZ_PKGS $LANG_PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages:$missing (run as root to install them)" >&2
    exit 0
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq $missing >/dev/null

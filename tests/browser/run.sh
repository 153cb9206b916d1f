#!/bin/sh
# tests/browser/run.sh [SCREENSHOT_DIR] - the web pages in a real browser
# (make test-browser). Installs Debian's chromium, chromium-driver and
# libjs-codemirror when they are missing (apt-get, as root); skips, saying
# why, only where no browser can be installed. Starts build/nsjudge serve
# and chromedriver on free 127.0.0.1 ports with a data dir of their own,
# runs tests/browser/driver.py, stops both. Screenshots go to
# SCREENSHOT_DIR (default build/browser).
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
shots=${1:-$repo/build/browser}
bin=${NSJUDGE_BIN:-$repo/build/nsjudge}
pkgs="chromium chromium-driver libjs-codemirror"

missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "browser: installing$missing"
        apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null \
            || echo "browser: apt-get could not install$missing"
    else
        echo "browser: cannot install$missing (needs root and apt-get)"
    fi
fi
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    echo "browser tests skipped: no browser could be installed (Debian packages chromium and chromium-driver)"
    exit 0
fi
[ -x "$bin" ] || { echo "browser: $bin is not built (make build/nsjudge build/nsjudge-server.so)"; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
dir=$(mktemp -d /tmp/nsjudge-browser.XXXXXX)
port=$(free_port)
dport=$(free_port)
cat > "$dir/nsjudge.json" <<JSON
{"listen": "127.0.0.1:$port", "data_dir": "$dir/data", "languages": "$repo/configs/languages.json",
 "workers": 2, "log_level": "warn"}
JSON
"$bin" serve --config "$dir/nsjudge.json" > "$dir/serve.log" 2>&1 &
spid=$!
/usr/bin/chromedriver --port="$dport" > "$dir/chromedriver.log" 2>&1 &
dpid=$!
cleanup() {
    kill $spid "$dpid" 2>/dev/null
    wait $spid "$dpid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM

up=0
for _ in $(seq 1 100); do
    if python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/healthz', timeout=1); u.urlopen('http://127.0.0.1:$dport/status', timeout=1)" 2>/dev/null; then
        up=1
        break
    fi
    sleep 0.2
done
if [ "$up" != 1 ]; then
    echo "browser: the service or chromedriver did not start"
    tail -5 "$dir/serve.log" "$dir/chromedriver.log"
    echo "0 passed, 1 failed"
    exit 1
fi
# the driver's counts, plus one check of our own: the service stops cleanly
# (exit status 0; a sanitizer build reports leaks and errors through it)
python3 "$repo/tests/browser/driver.py" "http://127.0.0.1:$port" "http://127.0.0.1:$dport" "$repo" "$shots" \
    | tee "$dir/driver.out" | grep -v ' passed, .* failed$'
passed=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$dir/driver.out")
failed=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$dir/driver.out")
[ -n "$passed" ] || { passed=0; failed=1; echo "FAIL the driver did not finish"; }
kill -TERM "$spid"
wait "$spid"
src=$?
spid=
if [ "$src" = 0 ]; then
    passed=$((passed + 1))
    echo "ok   the service stops cleanly with SIGTERM"
else
    failed=$((failed + 1))
    echo "FAIL the service exited with status $src on SIGTERM"
fi
[ "$failed" = 0 ] || { echo "--- serve.log (tail)"; tail -40 "$dir/serve.log"; }
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

#!/bin/sh
# make bench-service: judged jobs per second of `nsjudge serve` end to end
# (wrk, 1 thread, CONNS connections, POST /submissions?wait=true) against
# the bare loop of the same programs in kept sandbox slots on the same cores
# (build/bench/bench_sandbox loop: 2 threads, as the service's 2 workers,
# each thread's boxes pinned to a CPU as the service pins each worker's;
# the last column is the same loop unpinned), all measured in this one
# run. The machine is noisy: read the ratios.
#   DURATION=S  seconds per measurement (default 10)
#   CONNS=N     wrk connections (default 8)
#   KINDS=...   a subset of: text bash c problem100
# The service runs on 127.0.0.1 (a free port) with a temporary data dir.
set -e
cd "$(dirname "$0")/.."
B=${B:-build}
DURATION=${DURATION:-10}
CONNS=${CONNS:-8}
KINDS=${KINDS:-text bash c problem100}
if ! command -v wrk >/dev/null 2>&1; then
    echo "bench-service: installing wrk (Debian package)" >&2
    if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >/dev/null; else sudo apt-get install -y wrk >/dev/null; fi
fi
T=$(mktemp -d /tmp/nsjudge-bench-service-XXXXXX)
chmod 755 "$T"
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SLOTS=$((81000 + $$ % 500 * 4))   # this run's slot ids (the service's: SLOTS, SLOTS+1)
cat > "$T/nsjudge.json" <<EOF
{"listen": "127.0.0.1:$PORT", "data_dir": "$T/data", "languages": "$PWD/configs/languages.json",
 "workers": 2, "slot_id_base": $SLOTS, "max_queue_size": 100000, "log_level": "warn"}
EOF

# the 100-test problem: a + b, its package as the service takes it (tar upload)
P="$T/sum100"
mkdir -p "$P/data/secret" "$T/bare/tests"
i=0
while [ $i -lt 100 ]; do
    n=$(printf %03d $i)
    echo "$i $((i * 7))" > "$P/data/secret/$n.in"
    echo "$((i + i * 7))" > "$P/data/secret/$n.ans"
    cp "$P/data/secret/$n.in" "$P/data/secret/$n.ans" "$T/bare/tests/"
    i=$((i + 1))
done
printf 'name: sum100\n' > "$P/problem.yaml"
tar -C "$P" -cf "$T/sum100.tar" .

SUM_C='#include <stdio.h>
int main(void) { long a, b; if (scanf("%ld %ld", &a, &b) != 2) return 1; printf("%ld\n", a + b); return 0; }'
HELLO_C='#include <stdio.h>
int main(void) { puts("hi"); return 0; }'

# the bare loop's boxes: one per thread, the sources the service would write
for t in t0 t1; do
    mkdir -p "$T/bare/$t"
    printf 'hi\n' > "$T/bare/$t/main.txt"
    printf 'echo hi\n' > "$T/bare/$t/main.sh"
    chmod 777 "$T/bare/$t"
done

# wrk's request and checks: every answer must be 201 with status Accepted (id 3)
body_json() { # kind -> the submission's JSON
    case $1 in
    text) python3 -c 'import json; print(json.dumps({"language_id": 43, "source_code": "hi\n", "expected_output": "hi\n"}))' ;;
    bash) python3 -c 'import json; print(json.dumps({"language_id": 46, "source_code": "echo hi\n", "expected_output": "hi\n"}))' ;;
    c) python3 -c 'import json,sys; print(json.dumps({"language_id": 50, "source_code": sys.argv[1] + "\n", "expected_output": "hi\n"}))' "$HELLO_C" ;;
    problem100) python3 -c 'import json,sys; print(json.dumps({"language_id": 50, "source_code": sys.argv[1] + "\n", "problem_id": "sum100"}))' "$SUM_C" ;;
    esac
}
lua_script() { # kind -> a wrk script
    cat <<EOF
wrk.method = "POST"
wrk.path = "/submissions?wait=true"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[$(body_json "$1")]==]
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; bad = 0 end
function response(status, headers, body)
    if status == 201 and string.find(body, '"id":%s*3') then ok = ok + 1 else bad = bad + 1
        if bad == 1 then io.stderr:write("bad answer: " .. status .. " " .. body .. "\n") end
    end
end
function done(summary, latency, requests)
    local o, b = 0, 0
    for _, t in ipairs(threads) do o = o + t:get("ok"); b = b + t:get("bad") end
    io.write(string.format("RESULT %d %d %.3f %.2f %.2f\n", o, b, summary.duration / 1e6,
        latency:percentile(50) / 1e3, latency:percentile(99) / 1e3))
end
EOF
}

"$B/nsjudge" serve --config "$T/nsjudge.json" 2> "$T/server.log" &
PID=$!
for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
    sleep 0.1
done
curl -sf -o /dev/null -X POST --data-binary @"$T/sum100.tar" -H 'Content-Type: application/x-tar' \
    "http://127.0.0.1:$PORT/problems?id=sum100" || { echo "cannot register the problem" >&2; cat "$T/server.log" >&2; exit 1; }

echo "machine: $(nproc) cores, kernel $(uname -r); nsjudge serve: 2 workers; wrk: 1 thread, $CONNS connections, ${DURATION}s per kind"
printf '%-28s %9s %9s %7s %9s %9s %9s %9s %9s\n' kind "jobs/s" "bare/s" ratio "p50 ms" "p99 ms" "p99/p50" "bare p50" "unpinned"
for kind in $KINDS; do
    case $kind in
    text) label="Plain Text (43, cat)" ;;
    bash) label="Bash echo hi (46)" ;;
    c) label="C compile+run (50)" ;;
    problem100) label="100-test problem (C)" ;;
    *) echo "unknown kind $kind" >&2; exit 2 ;;
    esac
    lua_script "$kind" > "$T/$kind.lua"
    # a short warm-up (first compiles, page cache), then the measured run
    wrk -t1 -c"$CONNS" -d2s -s "$T/$kind.lua" "http://127.0.0.1:$PORT" > /dev/null 2>&1 || true
    wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 30s -s "$T/$kind.lua" "http://127.0.0.1:$PORT" > "$T/wrk.out" 2> "$T/wrk.err" || true
    set -- $(grep '^RESULT' "$T/wrk.out" | cut -d' ' -f2-)
    if [ $# -lt 5 ]; then echo "wrk failed:" >&2; cat "$T/wrk.out" "$T/wrk.err" >&2; exit 1; fi
    ok=$1 bad=$2 secs=$3 p50=$4 p99=$5
    [ "$bad" -gt 0 ] && { echo "$kind: $bad answers were not 201 Accepted:" >&2; cat "$T/wrk.err" >&2; }
    for t in t0 t1; do
        case $kind in c) printf "%s\n" "$HELLO_C" > "$T/bare/$t/main.c" ;; problem100) printf "%s\n" "$SUM_C" > "$T/bare/$t/main.c" ;; esac
    done
    # the bare loop with each thread's boxes pinned to a CPU, as the
    # service pins each worker's (pin_workers): the reference; and unpinned
    bare=$(PIN=1 "$B/bench/bench_sandbox" loop "$kind" 2 "$DURATION" $((SLOTS + 2)) "$T/bare") ||
        { echo "bare loop of $kind failed" >&2; exit 1; }
    free=$("$B/bench/bench_sandbox" loop "$kind" 2 "$DURATION" $((SLOTS + 2)) "$T/bare") ||
        { echo "bare loop of $kind failed" >&2; exit 1; }
    set -- $free
    unpinned=$1
    set -- $bare
    awk -v l="$label" -v ok="$ok" -v s="$secs" -v p50="$p50" -v p99="$p99" -v br="$1" -v bp50="$2" -v bu="$unpinned" 'BEGIN {
        j = ok / s; printf "%-28s %9.1f %9.1f %7.2f %9.2f %9.2f %9.2f %9.2f %9.1f\n", l, j, br, j / br, p50, p99, p99 / p50, bp50, bu }'
done

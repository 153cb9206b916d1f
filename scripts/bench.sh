#!/bin/sh
# make bench: sandbox launch cost against the fork+exec floor, the
# CLI, two parallel slots, a 100-test judge against the same 100 runs done
# bare, and measurement accuracy. Everything is measured in this one run;
# compare the ratios (the VM is noisy). RUNS=N to change the loop length.
set -e
cd "$(dirname "$0")/.."
B=${B:-build}
RUNS=${RUNS:-500}
BOX=$(mktemp -d /tmp/nsjudge-bench-XXXXXX)
trap 'rm -rf "$BOX"' EXIT
chmod 755 "$BOX"
cc -O2 -static -o "$BOX/noop" scripts/bench/noop.c
cc -O2 -static -o "$BOX/burn" testdata/programs/burn.c -lpthread
cc -O2 -static -o "$BOX/touch" testdata/programs/touch.c

"$B/bench/bench_sandbox" "$BOX" "$B/nsjudge" "$RUNS"

# 5. A whole judge of a 100-test problem vs the same 100 runs done bare.
if "$B/nsjudge" help judge >/dev/null 2>&1 && [ -d testdata/problems ]; then
    P="$BOX/problem100"
    mkdir -p "$P/data/secret"
    i=0
    while [ $i -lt 100 ]; do
        n=$(printf %03d $i)
        echo "$i $((i * 7))" > "$P/data/secret/$n.in"
        echo "$((i + i * 7))" > "$P/data/secret/$n.ans"
        i=$((i + 1))
    done
    printf 'name: sum100\n' > "$P/problem.yaml"
    cat > "$BOX/sum.c" <<'C'
#include <stdio.h>
int main(void) { long a, b; if (scanf("%ld %ld", &a, &b) != 2) return 1; printf("%ld\n", a + b); return 0; }
C
    # Three rounds of each side, alternating; the medians (the VM is noisy).
    : > "$BOX/times"
    for round in 1 2 3; do
        t0=$(date +%s.%N)
        # the same compile command the judge runs for C (configs/languages.json)
        gcc -O2 -std=gnu11 -pipe -static -fmax-errors=50 -o "$BOX/sum" "$BOX/sum.c" -lm
        tc=$(date +%s.%N)
        for f in "$P"/data/secret/*.in; do "$BOX/sum" < "$f" > "$BOX/out.txt"; cmp -s "$BOX/out.txt" "${f%.in}.ans"; done
        t1=$(date +%s.%N)
        "$B/nsjudge" judge "$P" "$BOX/sum.c" --json > "$BOX/report.json" || true
        t2=$(date +%s.%N)
        echo "$t0 $tc $t1 $t2" >> "$BOX/times"
    done
    verdict=$(grep -o '"verdict": *"[A-Z]*"' "$BOX/report.json" | head -1)
    echo
    awk -v v="$verdict" '
        function med(a,  x, y, z) { x = a[1]; y = a[2]; z = a[3];
            if (x > y) { t = x; x = y; y = t } if (y > z) { t = y; y = z; z = t } if (x > y) { t = x; x = y; y = t }
            return y }
        { c[NR] = $2 - $1; r[NR] = $3 - $2; j[NR] = $4 - $3; cr[NR] = $3 - $1 }
        END {
        compile = med(c); bare = med(r); judge = med(j); both = med(cr)
        printf "5. 100-test judge of a C solution (%s), median of 3 rounds\n", v
        printf "   nsjudge judge, compile + 100 sandboxed tests:  %.3f s\n", judge
        printf "   bare: gcc (same flags) %.3f s + 100 runs and cmp in a shell loop %.3f s = %.3f s\n", compile, bare, both
        printf "   ratio %.2f (to the bare runs alone: %.2f)\n", judge / both, judge / bare }' "$BOX/times"
fi

#!/bin/sh
# The cgroup v2 checks, run in the guest (guest-init.sh) against the
# checkout's build. nsjudge starts in /nsjudge.service, as a systemd
# service with Delegate=yes would, next to another process (a login
# shell's scope and a test runner look the same). Ends with
# "N passed, N failed".
R=$1
cd "$R" # the suites find testdata/ relative to the checkout
N=$R/build/nsjudge
SVC=/sys/fs/cgroup/nsjudge.service
export NSJUDGE_BIN=$N NSJUDGE_HOSTILE=$R/build/hostile NSJUDGE_PROGRAMS=$R/build/programs
export NSJUDGE_KEEP_DIR=/run/nsjudge-keep NSJUDGE_EMULATED=1
mkdir -p $NSJUDGE_KEEP_DIR
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
# run a command inside the service's cgroup (in its leaf once nsjudge made
# one: the service's cgroup itself then holds boxes, not processes)
in_svc() {
    d=$SVC; [ -d $SVC/nsjudge-supervisor ] && d=$SVC/nsjudge-supervisor
    sh -c 'echo $$ > '$d'/cgroup.procs && exec "$@"' sh "$@"
}
field() { sed -n "s/.*\"$1\": *\"\{0,1\}\([^,\"}]*\).*/\1/p"; }

echo "kernel $(uname -r); $(cat /sys/fs/cgroup/cgroup.controllers)"
sh -c 'echo $$ > '$SVC'/cgroup.procs && exec sleep 1000' &
sibling=$!

# 1. where the boxes go: below the service's cgroup, nowhere else
in_svc $N run --json -- /bin/sleep 3 > /tmp/place.json 2>&1 &
sleep 2
find /sys/fs/cgroup -type d -name 'nsjudge-[0-9]*' > /tmp/place.txt
wait $!
outside=$(grep -v "^$SVC/" /tmp/place.txt)
if [ -s /tmp/place.txt ] && [ -z "$outside" ] && grep -q '"OK"' /tmp/place.json; then
    ok "box cgroups are made in the cgroup nsjudge was started in ($(head -1 /tmp/place.txt))"
else
    bad "placement" "boxes at: $(cat /tmp/place.txt) / $(cat /tmp/place.json)"
fi
if grep -q "^0::/nsjudge.service/nsjudge-supervisor$" /proc/$sibling/cgroup; then
    ok "the processes sharing that cgroup moved into its leaf nsjudge-supervisor"
else
    bad "leaf" "the sibling is in $(cat /proc/$sibling/cgroup)"
fi

# 2. peaks of one-shot runs
peak() { in_svc $N run --json -d /p=$R/build/programs "$@" 2>>/tmp/run.err | tee -a /tmp/run.out | field memory; }
m64=$(peak -- /p/touch 64); m8=$(peak -- /p/touch 8)
if [ "${m64:-0}" -ge 65536 ] && [ "${m8:-99999}" -lt 32768 ]; then ok "one-shot peaks: 64 MiB -> $m64 KiB, 8 MiB -> $m8 KiB"
else bad "one-shot peaks" "64 MiB -> $m64 KiB, 8 MiB -> $m8 KiB"; fi

# 3. peaks of a kept slot: a small run after a large one
k64=$(peak --keep=60 -- /p/touch 64); k8=$(peak --keep=60 -- /p/touch 8)
st=$(in_svc $N run --json -d /p=$R/build/programs --keep=60 --mem 32768 -- /p/touch 16 2>/dev/null)
k16=$(echo "$st" | field memory); s16=$(echo "$st" | field status)
if [ "${k64:-0}" -ge 65536 ] && [ "${k8:-99999}" -lt 32768 ] && [ "$s16" = OK ] && [ "${k16:-99999}" -lt 32768 ]; then
    ok "kept-slot peaks: 64 MiB -> $k64 KiB, then 8 MiB -> $k8 KiB, 16 MiB under 32 MiB -> $s16 $k16 KiB"
else
    bad "kept-slot peaks" "64 MiB -> $k64, then 8 MiB -> $k8, 16 MiB under a 32 MiB limit -> $s16 $k16 KiB"
fi
pkill -x nsjudge-slotd

# 4. limits
s=$(in_svc $N run --json -d /p=$R/build/programs --mem 32768 -- /p/touch 64 2>/dev/null | field status)
[ "$s" = ML ] && ok "memory limit: ML" || bad "memory limit" "status $s"
s=$(in_svc $N run --json -d /p=$R/build/programs --time 0.5 -- /p/burn 5 2>/dev/null | field status)
[ "$s" = TO ] && ok "CPU limit: TO" || bad "CPU limit" "status $s"

# 5. one-shot cost with CLONE_INTO_CGROUP (no migration), under emulation
t0=$(date +%s%N)
for i in 1 2 3 4 5 6 7 8 9 10; do in_svc $N run -- /bin/true 2>/dev/null; done
t1=$(date +%s%N)
echo "note: one-shot nsjudge run in the guest: $(( (t1 - t0) / 10000000 )) ms each (tcg emulation)"

# 6. the sandbox suites and a service judging a problem, from the service cgroup
for f in 'sandbox*/*' 'server_problems/upload_judge_per_test_results'; do
    in_svc $R/build/nsjudge-tests --jobs 2 --filter "$f" > /tmp/suite.log 2>&1
    line=$(grep Synthesis /tmp/suite.log | tail -1)
    grep -E '^\[(FAIL|----)\]' /tmp/suite.log | head -60
    case "$line" in
        *"Failing: 0 | Crashing: 0"*) ok "suites $f: $line" ;;
        *) bad "suites $f" "$line"; echo "the suite's last output:"; tail -n 150 /tmp/suite.log ;;
    esac
done

# 7. nothing left behind: the suites kill servers with -9 on purpose; the
# next slot opened there removes the cgroups of dead nsjudge processes
in_svc $N run -- /bin/true 2>/dev/null
sleep 1
left=$(find /sys/fs/cgroup -type d -name 'nsjudge-[0-9]*')
[ -z "$left" ] && ok "no box cgroups left" || bad "leftovers" "$left"
kill $sibling
echo "$pass passed, $fail failed"

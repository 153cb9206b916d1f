#!/bin/sh
# tests/fuzz/run.sh SECONDS TARGET... - run each libFuzzer target of
# build-fuzz/fuzz/ for SECONDS over its seeds (testdata/fuzz/TARGET/) and
# the inputs found so far ($FUZZ_CORPUS/TARGET/, where new ones go; default
# build-fuzz/corpus),
# then print one line per target with libFuzzer's final numbers.
# A crash, leak, sanitizer report, timeout or broken property fails the
# target; its reproducer stays in build-fuzz/crashes/TARGET/. Exit 1 if any
# target failed. Run from the repository root (the Makefile does).
set -u
secs=$1
shift
fb=${FUZZ_BUILD:-build-fuzz}
root=$(pwd)

# Sanitizer reports abort (libFuzzer then keeps the input). float-cast-overflow
# is compiled recoverable only so that tests/fuzz/ubsan.supp can list the
# known spots; halt_on_error makes every other report fatal.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:suppressions=$root/tests/fuzz/ubsan.supp}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0}"

failed=""
summary=""
for t in "$@"; do
    bin=$fb/fuzz/$t
    corpus=${FUZZ_CORPUS:-$fb/corpus}/$t
    crashes=$fb/crashes/$t
    log=$fb/logs/$t.log
    mkdir -p "$corpus" "$crashes" "$fb/logs"
    dict=
    [ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
    # -timeout: one input may take this long; -rss_limit_mb: memory bombs
    # are findings too (the service has a memory cap, not 2 GB per request).
    # -handle_xfsz=0: the archive target ignores SIGXFSZ so a bomb stops at
    # its file size limit with EFBIG instead of ending the run.
    "$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=1024 -handle_xfsz=0 \
        -max_len=65536 -artifact_prefix="$crashes/" $dict "$corpus" "testdata/fuzz/$t" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    last=$(grep -aE '^#[0-9]+.*cov: ' "$log" | tail -n 1) # -a: a log may hold an input's bytes
    cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corp=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
    if [ "$rc" = 0 ]; then
        result=ok
    else
        failed="$failed $t"
        art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        result="FAILED (exit $rc; reproducer: ${art:-none}; log: $log)"
        # the report itself, for CI logs
        grep -aE 'ERROR: |runtime error:|fuzz property failed|SUMMARY:|^    #[0-9] ' "$log" | head -n 30 >&2
    fi
    line=$(printf '%-12s execs %9s  cov %5s  ft %6s  corpus %5s  %s' "$t" "${execs:-?}" \
        "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result")
    echo "fuzz: $line"
    summary="$summary$line
"
done
printf 'fuzz summary (%s s per target):\n%s' "$secs" "$summary"
if [ -n "$failed" ]; then
    echo "fuzz: FAILED:$failed (reproduce: $fb/fuzz/TARGET FILE)" >&2
    exit 1
fi
exit 0

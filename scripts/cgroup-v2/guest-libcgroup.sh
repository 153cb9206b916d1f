#!/bin/sh
# What Debian 12's libcgroup (2.0.2) does on a cgroup2-only host: the
# evidence behind not using it (README, cgroup v2). Run with
# V2_GUEST=guest-libcgroup.sh sh scripts/cgroup-v2/run.sh; needs the probe
# built from scripts/cgroup-v2/libcgroup-probe.c into build/.
SVC=/sys/fs/cgroup/nsjudge.service
sh -c 'echo $$ > '$SVC'/cgroup.procs && exec "$0"' "$1/build/libcgroup-probe" v2
cat /proc/self/cgroup
echo "0 passed, 0 failed"

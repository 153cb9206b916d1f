#!/bin/sh
# PID 1 of the guest (root: the host's / read-only): proc, dev, cgroup2 as
# the only hierarchy, then guest-tests.sh with its output in the share.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TMPDIR=/tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
# As systemd does: PID 1 in a leaf, controllers on for the children.
mkdir /sys/fs/cgroup/init /sys/fs/cgroup/nsjudge.service
echo $$ > /sys/fs/cgroup/init/cgroup.procs
echo "+memory +pids +cpu" > /sys/fs/cgroup/cgroup.subtree_control
ip link set lo up 2>/dev/null
/bin/sh "$1/scripts/cgroup-v2/${2:-guest-tests.sh}" "$1" > /tmp/out/guest.log 2>&1
sync
poweroff -f

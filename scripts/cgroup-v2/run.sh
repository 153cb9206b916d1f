#!/bin/sh
# make test-cgroup-v2: boot Debian's own kernel in qemu with only cgroup v2
# mounted and run the v2 checks of guest-tests.sh against this checkout's
# build. The host keeps its v1 hierarchy untouched: the guest shares the
# host's / read-only over 9p, gets a fresh ext4 /tmp and tmpfs /run, and
# writes its log to a 9p share. No network device. KVM does not work on
# these machines; software emulation (tcg) does, ~10-15 s to boot.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=${V2_DIR:-/tmp/nsjudge-v2}
TIMEOUT=${V2_TIMEOUT:-1500}
GUEST=${V2_GUEST:-guest-tests.sh}   # another script of this folder, to debug

need="qemu-system-x86 linux-image-amd64 busybox-static cpio kmod e2fsprogs"
missing=""
for p in $need; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "test-cgroup-v2: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq $missing >/dev/null
fi
K=$(ls /lib/modules | sort -V | tail -1)
[ -e "/boot/vmlinuz-$K" ] || { echo "test-cgroup-v2: no kernel image for $K in /boot" >&2; exit 1; }

# initramfs: busybox + the virtio, 9p and ext4 modules, in modprobe's order
rm -rf "$W"; mkdir -p "$W/initramfs/bin" "$W/initramfs/lib/modules" "$W/out"
I=$W/initramfs
mkdir -p "$I/proc" "$I/sys" "$I/dev" "$I/newroot"
cp /bin/busybox "$I/bin/busybox"
for m in virtio_pci 9pnet_virtio 9p virtio_blk ext4; do
    modprobe -S "$K" --show-depends "$m"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r ko; do
    cp "$ko" "$I/lib/modules/"
    echo "$(basename "$ko")" >> "$I/lib/modules/order"
done
cp "$ROOT/scripts/cgroup-v2/initramfs-init" "$I/init"
chmod 755 "$I/init"
(cd "$I" && find . | cpio -o -H newc --quiet) | gzip -1 > "$W/initramfs.cpio.gz"

IMG=$W/tmp.img
truncate -s 8G "$IMG"
mkfs.ext4 -q -F -E lazy_itable_init=1 "$IMG"
echo "test-cgroup-v2: booting kernel $K (tcg), checkout $ROOT"
t0=$(date +%s)
timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 2 -m 4096 \
    -machine q35 -nic none -display none -nographic -no-reboot -serial mon:stdio \
    -drive file="$IMG",if=virtio,format=raw,cache=unsafe \
    -kernel "/boot/vmlinuz-$K" -initrd "$W/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet loglevel=3 panic=-1 cgroup_no_v1=all nsjroot=$ROOT nsjguest=$GUEST" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap,id=hostroot \
    -virtfs local,path="$W/out",mount_tag=out,security_model=passthrough,id=out \
    -virtfs local,path="$ROOT",mount_tag=checkout,security_model=passthrough,readonly=on,multidevs=remap,id=checkout \
    > "$W/console.log" 2>&1 || echo "test-cgroup-v2: qemu ended with $? (see $W/console.log)"
rm -f "$IMG"
echo "test-cgroup-v2: guest ran $(( $(date +%s) - t0 )) s"
LOG=$W/out/guest.log
[ -s "$LOG" ] || { echo "test-cgroup-v2: no guest log"; tail -20 "$W/console.log"; exit 1; }
cat "$LOG"
# the guest's last line is its own count; a run that checked nothing fails
last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$LOG" | tail -1)
[ -n "$last" ] || { echo "test-cgroup-v2: the guest did not finish"; exit 1; }
case "$last" in *" 0 failed") exit 0 ;; *) exit 1 ;; esac

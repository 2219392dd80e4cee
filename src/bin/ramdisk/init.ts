/**
 * The ramdisk's `/init` (busybox sh) and its udhcpc script.
 *
 * /init: busybox applets, /proc /sys /dev, the kernel modules listed in /etc/ingot-modules
 * (in dependency order), then DHCP on the NIC named by `BOOTIF=` (PXELINUX/iPXE pass it)
 * or else on each NIC in turn, then `ipa-api-url` from /proc/cmdline, and the agent:
 * `node /ingot.js agent --api-url <url>` (in the background: PID 1 traps the signals busybox's
 * poweroff/reboot/halt send to init and powers off or reboots for real). Each phase prints an `ingot-ramdisk:` line on
 * the console (the serial log explains a failed boot). If the agent exits, a shell is
 * left on the console.
 */

export const INIT_SCRIPT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mkdir -p /proc /sys /dev /tmp /run /var/run /mnt /etc
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
echo "ingot-ramdisk: init on kernel $(uname -r)"
while read -r m; do
  [ -n "$m" ] && insmod "/lib/modules/$m" 2>/dev/null
done < /etc/ingot-modules
echo "ingot-ramdisk: modules loaded: $(cut -d' ' -f1 /proc/modules | tr '\\n' ' ')"
ip link set lo up
arg() { tr ' ' '\\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
BOOTIF=$(arg BOOTIF | sed 's/^01-//; s/-/:/g' | tr 'A-F' 'a-f')
nics() {
  for n in /sys/class/net/*; do
    n=\${n##*/}; [ "$n" = lo ] && continue
    if [ -n "$BOOTIF" ] && [ "$(cat /sys/class/net/$n/address)" != "$BOOTIF" ]; then continue; fi
    echo "$n"
  done
}
i=0
while [ -z "$(nics)" ] && [ $i -lt 20 ]; do sleep 0.5; i=$((i + 1)); done
UP=
for n in $(nics); do
  ip link set "$n" up
  echo "ingot-ramdisk: DHCP on $n ($(cat /sys/class/net/$n/address))"
  if udhcpc -i "$n" -n -q -t 10 -T 2 -s /etc/udhcpc.script; then UP=$n; break; fi
done
[ -z "$UP" ] && echo "ingot-ramdisk: no DHCP lease on any NIC"
API=$(arg ipa-api-url)
echo "ingot-ramdisk: node $(/usr/bin/node --version)"
# busybox poweroff/reboot/halt signal PID 1 (USR2/TERM/USR1), as busybox init expects: this
# shell is PID 1, so it traps them and does the real thing (the agent's power_off / reboot).
trap 'echo "ingot-ramdisk: power off"; sync; poweroff -f' USR2 USR1
trap 'echo "ingot-ramdisk: reboot"; sync; reboot -f' TERM
echo "ingot-ramdisk: starting agent: node /ingot.js agent --api-url $API"
/usr/bin/node /ingot.js agent --api-url "$API" &
AGENT=$!
# wait returns early when a trapped signal arrives; loop until the agent itself has ended.
while :; do wait $AGENT; STATUS=$?; kill -0 $AGENT 2>/dev/null || break; done
echo "ingot-ramdisk: agent exited with status $STATUS"
exec /bin/sh
`;

export const UDHCPC_SCRIPT = `#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/\${mask:-24}" dev "$interface"
    for r in $router; do ip route add default via "$r" dev "$interface"; break; done
    : > /etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
    echo "ingot-ramdisk: $interface has $ip/\${mask:-24} from $serverid" ;;
esac
exit 0
`;

#!/usr/bin/env bash
# Memory added per running container: MemAvailable before and after N detached `sleep` containers,
# divided by N (everything counts: monitors, payloads, page tables, cgroups, kernel objects), and the
# monitors' own proportional set size (PSS) from smaps_rollup.
#   bench/run/memory.sh BERTH ROOT IMAGE [N]
set -u
berth=$1 root=$2 image=$3 n=${4:-100}
avail() { awk '/MemAvailable/{print $2}' /proc/meminfo; }
sync; echo 1 > /proc/sys/vm/drop_caches 2>/dev/null
before=$(avail)
for i in $(seq "$n"); do "$berth" --root "$root" run -d --network none "$image" sleep 100000 >/dev/null || exit 1; done
sleep 1
after=$(avail)
pss=0
for p in $(pgrep -f -- "--root $root __berth-monitor"); do
  v=$(awk '/^Pss:/{print $2}' /proc/$p/smaps_rollup 2>/dev/null); pss=$((pss + ${v:-0}))
done
echo "containers=$n added_kb_per_container=$(( (before - after) / n )) monitor_pss_kb_avg=$(( pss / n ))"
"$berth" --root "$root" rm -f $("$berth" --root "$root" ps -q) >/dev/null

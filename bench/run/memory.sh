#!/usr/bin/env bash
# Memory added per running container: MemAvailable before and after N detached `sleep` containers,
# divided by N (everything counts: monitors, payloads, page tables, cgroups, kernel objects), and the
# monitors' own proportional set size (PSS) from smaps_rollup plus what the containers' memory cgroups
# are charged (their payloads and the kernel memory charged to them): the accounted figure, which other
# processes on a busy machine cannot disturb as they disturb MemAvailable.
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
cg=0
for id in $("$berth" --root "$root" ps -q --no-trunc); do
  for f in /sys/fs/cgroup/memory/berth/$id/memory.usage_in_bytes /sys/fs/cgroup/unified/berth/$id/memory.current /sys/fs/cgroup/berth/$id/memory.current; do
    [ -r "$f" ] && { cg=$((cg + $(cat "$f") / 1024)); break; }
  done
done
echo "containers=$n added_kb_per_container=$(( (before - after) / n )) monitor_pss_kb_avg=$(( pss / n )) cgroup_charged_kb_avg=$(( cg / n )) accounted_kb_per_container=$(( (pss + cg) / n ))"
"$berth" --root "$root" rm -f $("$berth" --root "$root" ps -q) >/dev/null

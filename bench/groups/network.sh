# Group "network": containers on the default bridge (a veth pair, an address, NAT) against podman on its
# default network (netavark); TCP throughput through a published port against the host's loopback.
# Targets (issue 7): `run --rm IMG true` on the bridge under 0.1x `podman run`; iperf3 through a
# published port within 80% of host loopback (the same bytes in at most 1.25x the time).
source "$BENCH_DIR/run/prepare.sh"
R=$RUN_ROOT
table_header "network: default bridge, whole command from image name to exit"
pair "run --rm IMG true (default bridge)" "$BERTH --root $R run --rm bench/bb:1 true" \
  "podman run (default network)" "<0.1" "podman run --rm bench/bb:1 true"
pair "run --rm --network none IMG true (for reference)" "$BERTH --root $R run --rm --network none bench/bb:1 true"
note "the bridge's own share: \`berth -D run --rm IMG true\` marks network: address recorded, veth created, endpoints plugged, attached."

if command -v iperf3 >/dev/null; then
  # iperf3 from the host's /usr in the busybox container (merged /usr: /lib and /lib64 are under it).
  usr="-v /usr:/usr:ro -v /usr/lib:/lib:ro -v /usr/lib64:/lib64:ro"
  cport=$((20000 + RANDOM % 20000)); hport=$((cport + 1))
  cid=$("$BERTH" --root "$R" run -d $usr -p 127.0.0.1:$cport:5201 bench/bb:1 /usr/bin/iperf3 -s)
  iperf3 -s -p $hport -D --pidfile "$WORK/iperf3.pid"
  for _ in $(seq 50); do iperf3 -c 127.0.0.1 -p $cport -n 1M >/dev/null 2>&1 && break; sleep 0.1; done
  bytes=2G; [ "$BENCH_SMOKE" = 1 ] && bytes=50M
  table_header "network: TCP, $bytes with iperf3 from the host"
  pair "iperf3 -n $bytes to 127.0.0.1:published port" "iperf3 -c 127.0.0.1 -p $cport -n $bytes" \
    "host loopback" "<=1.25" "iperf3 -c 127.0.0.1 -p $hport -n $bytes"
  note "throughput: published port $(iperf3 -c 127.0.0.1 -p $cport -n $bytes -J | awk -F'[:,]' '/"bits_per_second"/ {b=$2} END {printf "%.1f Gbit/s", b/1e9}'), host loopback $(iperf3 -c 127.0.0.1 -p $hport -n $bytes -J | awk -F'[:,]' '/"bits_per_second"/ {b=$2} END {printf "%.1f Gbit/s", b/1e9}') (receiver side, one stream)."
  kill "$(cat "$WORK/iperf3.pid")" 2>/dev/null
  "$BERTH" --root "$R" rm -f "$cid" >/dev/null
else
  note "iperf3 not installed (apt-get install iperf3): throughput not measured"
fi
"$BERTH" --root "$R" network prune -f >/dev/null

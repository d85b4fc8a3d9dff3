#!/usr/bin/env bash
# Benchmarks berth side by side with docker, podman, buildah, skopeo, crun and the CNCF registry.
#   bench/run.sh [--smoke] [GROUP...]     groups: run many build push pull registry import network deploy all
# --smoke: one run each, berth only, no peer setup (CI runs this so the benchmarks never rot).
# Results: printed, and written to bench/results/LATEST.md (not in smoke mode).
set -uo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=$PWD/bench
SMOKE=0
groups=()
for a in "$@"; do
  case $a in
    --smoke) SMOKE=1 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) groups+=("$a") ;;
  esac
done
[ ${#groups[@]} -eq 0 ] && groups=(all)
[ "${groups[0]}" = all ] && groups=($(ls "$BENCH_DIR/groups" | sed 's/\.sh$//'))

export BERTH="$PWD/out/berth"
[ -x "$BERTH" ] && [ "$SMOKE" = 1 ] || ./build.sh >/dev/null || { echo "bench: build failed" >&2; exit 1; }
WORK=$(mktemp -d /tmp/berth-bench.XXXXXX)
export WORK
cleanup() { grep -o " $WORK[^ ]*" /proc/mounts 2>/dev/null | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done; rm -rf "$WORK"; }
trap cleanup EXIT

if [ "$SMOKE" = 1 ]; then
  export BENCH_RUNS=1 BENCH_SMOKE=1 RESULTS=/dev/null
else
  bash ../shared/peers/setup.sh >"$WORK/peers.log" 2>&1 || { echo "bench: peer setup failed, see below" >&2; tail -n 20 "$WORK/peers.log" >&2; }
  export CONTAINERS_CONF=/tmp/berth-peers/conf/containers.conf
  export BENCH_SMOKE=0 RESULTS="$BENCH_DIR/results/LATEST.md.tmp"
  : > "$RESULTS"
  { echo "# Benchmark results"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(uname -r). Ratios are berth/peer, pair by pair (ABAB), ${BENCH_RUNS:-10} runs after a warm-up."
    echo
    echo "Versions: berth $("$BERTH" version | awk '/Version:/{print $2; exit}'), $(docker --version 2>/dev/null | cut -d, -f1), $(podman --version 2>/dev/null), $(buildah --version 2>/dev/null | cut -d' ' -f1-3), $(skopeo --version 2>/dev/null), $(crun --version 2>/dev/null | head -n1), $(docker-registry --version 2>/dev/null | awk '{print "distribution", $3}')"
  } > "$RESULTS"
fi
source "$BENCH_DIR/lib.sh"

status=0
for g in "${groups[@]}"; do
  f="$BENCH_DIR/groups/$g.sh"
  [ -f "$f" ] || { echo "bench: unknown group '$g' (have: $(ls "$BENCH_DIR/groups" | sed 's/\.sh$//' | tr '\n' ' '))" >&2; exit 2; }
  ( source "$f" ) || { echo "bench: group $g failed" >&2; status=1; }
done

if [ "$SMOKE" = 0 ]; then
  mv "$RESULTS" "$BENCH_DIR/results/LATEST.md"
  echo; echo "written: bench/results/LATEST.md"
fi
[ $status = 0 ] && echo "bench: ${groups[*]} done$([ "$SMOKE" = 1 ] && echo ' (smoke)')"
exit $status

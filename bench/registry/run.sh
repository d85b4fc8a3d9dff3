#!/usr/bin/env bash
# Berth's registry against the CNCF distribution registry (Debian's docker-registry), side by side on
# this machine's loopback: manifest GET req/s and blob GET throughput (wrk), skopeo copy time of a
# 5-layer image into each, and resident memory at rest. Prints each figure and the ratio berth/peer.
#   bash bench/registry/run.sh [--smoke]      (BERTH_BIN=... to use another berth binary)
set -euo pipefail
cd "$(dirname "$0")/../.."
SMOKE=0; [ "${1:-}" = --smoke ] && SMOKE=1
DUR=${BENCH_DURATION:-10}; RUNS=3
[ $SMOKE = 1 ] && { DUR=2; RUNS=1; }
BERTH=${BERTH_BIN:-$PWD/out/berth}
for tool in wrk skopeo docker-registry curl; do
  command -v $tool >/dev/null || { echo "bench/registry: $tool is not installed (apt-get install wrk skopeo docker-registry curl)" >&2; exit 1; }
done
[ -x "$BERTH" ] || { echo "bench/registry: no berth binary at $BERTH (run ./build.sh)" >&2; exit 1; }

W=$(mktemp -d /tmp/berth-bench-registry.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_up() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/v2/" >/dev/null && return 0; sleep 0.1; done; echo "registry on port $1 did not start" >&2; return 1; }
rss_kb() { awk '/^VmRSS/ {print $2}' /proc/$1/status; }

# --- 5-layer OCI images (5 x 8 MiB of random data, gzip layers), one per skopeo run and one to
#     serve, so that no push can skip its uploads by mounting what an earlier push sent.
make_image() { # DIR: writes an OCI layout tagged 1; sets BIG_BLOB to its first layer
  local layout=$1 i d size diffs="" layers="" tmp=$W/mk
  mkdir -p "$layout/blobs/sha256" "$tmp"
  put_blob() { local h; h=$(sha256sum "$1" | cut -c1-64); mv "$1" "$layout/blobs/sha256/$h"; echo "$h"; }
  for i in 1 2 3 4 5; do
    rm -rf "$tmp/l"; mkdir -p "$tmp/l"; head -c $((8 << 20)) /dev/urandom > "$tmp/l/data$i"
    tar -C "$tmp/l" -cf "$tmp/l.tar" .
    diffs="$diffs\"sha256:$(sha256sum "$tmp/l.tar" | cut -c1-64)\","
    gzip -1 -c "$tmp/l.tar" > "$tmp/l.tgz"; size=$(stat -c %s "$tmp/l.tgz")
    d=$(put_blob "$tmp/l.tgz")
    layers="$layers{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$d\",\"size\":$size},"
    [ $i = 1 ] && BIG_BLOB=sha256:$d
  done
  printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[%s]}}' "${diffs%,}" > "$tmp/config"
  local csize cd_ msize md
  csize=$(stat -c %s "$tmp/config"); cd_=$(put_blob "$tmp/config")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' "$cd_" "$csize" "${layers%,}" > "$tmp/manifest"
  msize=$(stat -c %s "$tmp/manifest"); md=$(put_blob "$tmp/manifest")
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"1"}}]}' "$md" "$msize" > "$layout/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
  rm -rf "$tmp"
}
for r in $(seq $RUNS); do make_image "$W/image$r"; done
make_image "$W/image"; LAYOUT=$W/image

# --- the two registries, each on a free loopback port with its own empty storage
BP=$(free_port)
"$BERTH" registry serve --addr 127.0.0.1:$BP --root "$W/berth-data" >"$W/berth.log" 2>&1 & PIDS+=($!); BPID=$!
DP=$(free_port)
cat > "$W/distribution.yml" <<YML
version: 0.1
log: { level: info }
storage:
  cache: { blobdescriptor: inmemory }
  filesystem: { rootdirectory: $W/distribution-data }
  delete: { enabled: true }
http: { addr: 127.0.0.1:$DP }
YML
docker-registry serve "$W/distribution.yml" >"$W/distribution.log" 2>&1 & PIDS+=($!); DPID=$!
wait_up $BP; wait_up $DP
sleep 1
BRSS0=$(rss_kb $BPID); DRSS0=$(rss_kb $DPID)

# --- skopeo copy time (median of RUNS, a fresh repository each time)
copy_ms() {
  local port=$1 t=()
  for r in $(seq $RUNS); do
    local s e; s=$(date +%s%N)
    skopeo copy -q --dest-tls-verify=false "oci:$W/image$r:1" "docker://127.0.0.1:$port/bench/copy$r:1" >/dev/null
    e=$(date +%s%N); t+=($(( (e - s) / 1000000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'
}
BCOPY=$(copy_ms $BP); DCOPY=$(copy_ms $DP)
skopeo copy -q --dest-tls-verify=false "oci:$LAYOUT:1" "docker://127.0.0.1:$BP/bench/img:1" >/dev/null
skopeo copy -q --dest-tls-verify=false "oci:$LAYOUT:1" "docker://127.0.0.1:$DP/bench/img:1" >/dev/null

# --- wrk: manifest GET by tag (req/s) and blob GET of an 8 MiB layer (MB/s)
ACCEPT='Accept: application/vnd.oci.image.manifest.v1+json'
reqs() { wrk -t2 -c16 -d${DUR}s -H "$ACCEPT" "$1" | awk '/^Requests\/sec/ {print $2}'; }
mbps() { wrk -t2 -c4 -d${DUR}s "$1" | awk '/^Transfer\/sec/ { v=$2; u=substr(v, length(v)-1); n=substr(v, 1, length(v)-2); if (u=="GB") n*=1024; else if (u=="KB") n/=1024; printf "%.0f\n", n }'; }
BMAN=$(reqs "http://127.0.0.1:$BP/v2/bench/img/manifests/1"); DMAN=$(reqs "http://127.0.0.1:$DP/v2/bench/img/manifests/1")
BBLOB=$(mbps "http://127.0.0.1:$BP/v2/bench/img/blobs/$BIG_BLOB"); DBLOB=$(mbps "http://127.0.0.1:$DP/v2/bench/img/blobs/$BIG_BLOB")
BRSS1=$(rss_kb $BPID); DRSS1=$(rss_kb $DPID)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v b="$2" -v op="$3" 'BEGIN { if (r == "n/a") { print ""; exit } ok = (op == ">=") ? r >= b : r <= b; print ok ? "met" : "**MISSED**" }'; }
echo
echo "### registry: berth vs distribution $(docker-registry --version 2>/dev/null | awk '{print $NF}') ($( [ $SMOKE = 1 ] && echo smoke || echo full ), wrk ${DUR}s, skopeo median of $RUNS)"
echo
echo "| metric | berth | distribution | ratio berth/peer | target |"
echo "|---|---|---|---|---|"
r=$(ratio "$BMAN" "$DMAN"); echo "| manifest GET (req/s, higher is better) | $BMAN | $DMAN | $r | >=1.5 $(verdict "$r" 1.5 '>=') |"
r=$(ratio "$BBLOB" "$DBLOB"); echo "| blob GET 8 MiB (MB/s, higher is better) | $BBLOB | $DBLOB | $r | >=1.5 $(verdict "$r" 1.5 '>=') |"
r=$(ratio "$BCOPY" "$DCOPY"); echo "| skopeo copy, 5 layers (ms) | $BCOPY | $DCOPY | $r | <=1.0 $(verdict "$r" 1.0 '<=') |"
echo "| RSS at rest (MB) | $((BRSS0 / 1024)) | $((DRSS0 / 1024)) | $(ratio "$BRSS0" "$DRSS0") | berth < 50 $( [ $((BRSS0 / 1024)) -lt 50 ] && echo met || echo '**MISSED**') |"
echo "| RSS after load (MB) | $((BRSS1 / 1024)) | $((DRSS1 / 1024)) | $(ratio "$BRSS1" "$DRSS1") | - |"

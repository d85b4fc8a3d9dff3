# Shared by the push and pull groups: a CNCF registry on a free loopback port (no blob cache, so a
# wiped storage directory really is cold), and two images as one docker-archive that docker, podman,
# skopeo and berth all load: bench/five:1 (a busybox-like base plus 4 layers of real files from
# /usr, ~8 MB each) and bench/child:1 (the same 5 layers plus one small new layer).

# registry_start: sets REG (host:port) and REGDATA; stopped when the group's shell exits
registry_start() {
  local port
  while :; do port=$((20000 + RANDOM % 40000)); (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null || break; done
  REGDATA=$WORK/registry-$port; mkdir -p "$REGDATA"
  cat > "$REGDATA.yml" <<CFG
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $REGDATA }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$port }
CFG
  docker-registry serve "$REGDATA.yml" >"$REGDATA.log" 2>&1 &
  REG_PID=$!
  trap 'kill $REG_PID 2>/dev/null' EXIT
  REG=127.0.0.1:$port
  for _ in $(seq 100); do curl -sf "http://$REG/v2/" >/dev/null && return 0; sleep 0.1; done
  echo "bench: registry did not start" >&2; return 1
}

# registry_wipe: every repository and blob gone (the next push is cold)
registry_wipe() { rm -rf "$REGDATA/docker"; }

# make_archive FILE [LAYER_MB]: the two images as one docker-archive tar
make_archive() {
  local out=$1 mb=${2:-8} d; d=$(mktemp -d "$WORK/archive.XXXXXX")
  local layers=() diffs=() i
  add_layer() { # DIR: tar it as the next layer
    local n=${#layers[@]} h
    mkdir -p "$d/l$n"; tar -C "$1" --sort=name --mtime=@0 --owner=0 --group=0 -cf "$d/l$n/layer.tar" .
    h=$(sha256sum "$d/l$n/layer.tar" | cut -c1-64)
    layers+=("l$n/layer.tar"); diffs+=("\"sha256:$h\"")
  }
  local src=$WORK/archive-src; rm -rf "$src"; mkdir -p "$src/base/bin" "$src/base/etc"
  cp /bin/busybox "$src/base/bin/"; echo 'root:x:0:0:root:/root:/bin/sh' > "$src/base/etc/passwd"
  add_layer "$src/base"
  find /usr/lib /usr/share -xdev -type f -size -2M 2>/dev/null | sort > "$WORK/archive-files"
  for i in 1 2 3 4; do
    mkdir -p "$src/part$i"
    awk -v max=$((mb * 1048576)) -v skip=$(( (i - 1) * 4000 )) 'NR > skip { cmd = "stat -c %s \"" $0 "\""; cmd | getline s; close(cmd); total += s; print; if (total >= max) exit }' \
      "$WORK/archive-files" | tar -cf - -T - 2>/dev/null | tar -C "$src/part$i" -xf -
    add_layer "$src/part$i"
  done
  local five_layers=("${layers[@]}") five_diffs=("${diffs[@]}")
  mkdir -p "$src/new"; head -c 200000 /dev/urandom | base64 > "$src/new/app.txt"
  add_layer "$src/new"
  config() { # DIFF_IDS...: writes a config, prints its file name
    local ids; ids=$(IFS=,; echo "$*")
    printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/busybox","true"]},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[]}' "$ids" > "$d/c.json"
    local h; h=$(sha256sum "$d/c.json" | cut -c1-64); mv "$d/c.json" "$d/$h.json"; echo "$h.json"
  }
  local c5 c6; c5=$(config "${five_diffs[@]}"); c6=$(config "${diffs[@]}")
  json_list() { local s="" x; for x in "$@"; do s="$s\"$x\","; done; echo "${s%,}"; }
  printf '[{"Config":"%s","RepoTags":["bench/five:1"],"Layers":[%s]},{"Config":"%s","RepoTags":["bench/child:1"],"Layers":[%s]}]' \
    "$c5" "$(json_list "${five_layers[@]}")" "$c6" "$(json_list "${layers[@]}")" > "$d/manifest.json"
  tar -C "$d" -cf "$out" .
  rm -rf "$d" "$src"
}

# manifest_digest HOST/REPO TAG: the digest the registry keeps the tag's manifest under
manifest_digest() {
  curl -sI -H 'Accept: application/vnd.oci.image.manifest.v1+json' -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://${1%%/*}/v2/${1#*/}/manifests/$2" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}'
}

# last_layer HOST/REPO TAG: digest of the manifest's last layer as the registry stores it
last_layer() {
  curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://${1%%/*}/v2/${1#*/}/manifests/$2" | jq -r '.layers[-1].digest'
}

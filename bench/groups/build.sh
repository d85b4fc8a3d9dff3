# Group "build": the issue's Dockerfile (4 RUN steps, one writing 20 MB, and a COPY) on the busybox
# base localbase:1 that ../shared/peers/setup.sh makes, built by berth, docker's classic builder
# (DOCKER_BUILDKIT=0), BuildKit (DOCKER_BUILDKIT=1), buildah and podman, all with network none:
# cold (--no-cache), unchanged rebuild, and last step changed. Plus berth's own per-RUN overhead.
# Targets (issue 4): unchanged < 0.25x BuildKit, last step changed < 0.5x BuildKit, cold < 0.7x
# BuildKit; RUN overhead beyond the command < 25 ms per step.

ctx=$WORK/build-ctx; pctx=$WORK/build-ctx-podman
mkdir -p "$ctx" "$pctx"
dockerfile() {
  cat <<DOCKERFILE
FROM $1
RUN echo one > /one
RUN head -c 20971520 /dev/urandom > /big
RUN echo three > /three && ls / > /listing
RUN echo four > /four
COPY stamp.txt /stamp.txt
DOCKERFILE
}
dockerfile localbase:1 > "$ctx/Dockerfile"
dockerfile localhost/localbase:1 > "$pctx/Dockerfile"
echo 0 > "$ctx/stamp.txt"; echo 0 > "$pctx/stamp.txt"

# berth's base: the same busybox rootfs as the peers' localbase:1 (docker's image if docker has it).
R=$WORK/build-root
base=$WORK/build-base.tar
if [ "$BENCH_SMOKE" != 1 ] && docker image inspect localbase:1 >/dev/null 2>&1; then
  docker save -o "$base" localbase:1 && "$BERTH" --root "$R" load -q -i "$base" >/dev/null
else
  d=$(mktemp -d); mkdir -p "$d"/{bin,etc,tmp,proc,sys,dev,root}; cp /bin/busybox "$d/bin/"
  for a in $("$d/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$d/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$d/etc/passwd"; tar -C "$d" -cf "$base" .; rm -rf "$d"
  "$BERTH" --root "$R" import -c 'CMD ["/bin/sh"]' "$base" localbase:1 >/dev/null
fi

# Each command ends with its options; the context goes last (buildah takes no options after it).
B="$BERTH --root $R build -q --network none -t bench/build:1"
CLASSIC="DOCKER_BUILDKIT=0 docker build -q --network none -t bench/build:classic"
BK="DOCKER_BUILDKIT=1 docker build -q --network none -t bench/build:bk"
BUILDAH="buildah bud -q --layers --network none -t bench/build:buildah"
PODMAN="podman build -q --layers --network none -t bench/build:podman"

table_header "build: 4 RUN (one writes 20 MB) + COPY on busybox, network none"
pair "cold (--no-cache)" "$B --no-cache $ctx" \
  "BuildKit" "<0.7" "$BK --no-cache $ctx" \
  "docker classic" "-" "$CLASSIC --no-cache $ctx" \
  "buildah" "-" "$BUILDAH --no-cache $pctx" \
  "podman" "-" "$PODMAN --no-cache $pctx"
pair "unchanged rebuild" "$B $ctx" \
  "BuildKit" "<0.25" "$BK $ctx" \
  "docker classic" "-" "$CLASSIC $ctx" \
  "buildah" "-" "$BUILDAH $pctx" \
  "podman" "-" "$PODMAN $pctx"
# Each run writes a new stamp, so the last step (the COPY) misses the cache every time.
stamp() { echo "date +%s%N > $1/stamp.txt"; }
pair "last step changed" "$(stamp "$ctx"); $B $ctx" \
  "BuildKit" "<0.5" "$(stamp "$ctx"); $BK $ctx" \
  "docker classic" "-" "$(stamp "$ctx"); $CLASSIC $ctx" \
  "buildah" "-" "$(stamp "$pctx"); $BUILDAH $pctx" \
  "podman" "-" "$(stamp "$pctx"); $PODMAN $pctx"
note "cold: every step runs again (--no-cache); unchanged: every step is a cache hit; last step: the COPY's file changes each run."

# RUN overhead: 10 'RUN true' steps against none, --no-cache, divided by 10.
oc=$WORK/build-overhead; mkdir -p "$oc/ten" "$oc/none"
{ echo "FROM localbase:1"; for i in $(seq 10); do echo "RUN true # $i"; done; } > "$oc/ten/Dockerfile"
printf 'FROM localbase:1\nENV A=1\n' > "$oc/none/Dockerfile"
ten=$(for i in $(seq 5); do measure $BERTH --root "$R" build -q --no-cache --network none "$oc/ten"; done | awk '{print $1}' | sort -n | sed -n 3p)
none=$(for i in $(seq 5); do measure $BERTH --root "$R" build -q --no-cache --network none "$oc/none"; done | awk '{print $1}' | sort -n | sed -n 3p)
per=$(awk -v a="$ten" -v b="$none" 'BEGIN{printf "%.1f", (a-b)/10}')
verdict=$(judge "$per" "<25")
printf '| RUN overhead per step (10x RUN true, --no-cache) | %s | - | - | - | - | - | <25 %s |\n' "$per" "$verdict" | tee -a "$RESULTS"
note "RUN overhead: (build with 10 RUN true − build with none) / 10, medians of 5: $ten ms vs $none ms."

docker rmi -f bench/build:classic bench/build:bk >/dev/null 2>&1
buildah rmi -f bench/build:buildah >/dev/null 2>&1; podman rmi -f bench/build:podman >/dev/null 2>&1

# BuildKit needs docker's buildx plugin, which Debian 12 does not package: without it the BuildKit
# rows say "unavailable", and berth is set against the BuildKit times the issue measured here.
if ! DOCKER_BUILDKIT=1 docker build --help >/dev/null 2>&1 || ! docker buildx version >/dev/null 2>&1; then
  for w in "cold (--no-cache):1500:0.7" "unchanged rebuild:210:0.25" "last step changed:310:0.5"; do
    IFS=: read -r name bk target <<<"$w"
    ms=$(grep -F "| $name | " "$RESULTS" 2>/dev/null | awk -F'|' '$3 ~ /[0-9]/ {gsub(/ /,"",$3); print $3; exit}')
    [ -n "$ms" ] || continue
    ratio=$(awk -v a="$ms" -v b="$bk" 'BEGIN{printf "%.2f", a/b}')
    note "BuildKit unavailable here: $name berth $ms ms / issue's BuildKit $bk ms = ${ratio}x (target <$target: $(judge "$ratio" "<$target"))"
  done
fi

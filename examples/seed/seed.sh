#!/usr/bin/env bash
# The seed scenario of issue 9: build an app image and a cache image FROM it (one more layer), push both to
# a local berth registry, pull them into a second berth root standing in for the production host, bring the
# topology up there, upgrade the web tier to app 2 with zero downtime, roll it back, and print the timings.
# Needs root and a built berth (./build.sh). BERTH defaults to out/berth.
set -euo pipefail
cd "$(dirname "$0")"
B=${BERTH:-$(cd ../.. && pwd)/out/berth}
work=$(mktemp -d /tmp/berth-seed.XXXXXX)
dev=$work/dev; prod=$work/prod
regport=$((15000 + RANDOM % 5000)); export REGISTRY=127.0.0.1:$regport PORT=$((25000 + RANDOM % 5000))
reg_pid=
cleanup() {
  "$B" --root "$prod" compose -p seed down -v >/dev/null 2>&1 || true
  [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null
  grep -o " $work[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
  rm -rf "$work"
}
trap cleanup EXIT
t() { local s=$EPOCHREALTIME; "$@" >/dev/null; printf '%-44s %6.0f ms\n' "$LABEL" "$(echo "($EPOCHREALTIME - $s) * 1000" | bc)"; }

# A busybox base for the build host.
mkdir -p "$work/rootfs"/{bin,etc,tmp,root}
cp "$(command -v busybox)" "$work/rootfs/bin/"
for a in $("$work/rootfs/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$work/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$work/rootfs/etc/passwd"; echo 'root:x:0:' > "$work/rootfs/etc/group"
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
"$B" --root "$dev" import "$work/rootfs.tar" seed/base:1 >/dev/null

"$B" registry serve --addr "$REGISTRY" --root "$work/registry" --access-log off >/dev/null 2>&1 & reg_pid=$!
for _ in $(seq 50); do curl -sf "http://$REGISTRY/v2/" >/dev/null && break; sleep 0.1; done

echo "== build host"
LABEL="build app:1" t "$B" --root "$dev" build -q -t "$REGISTRY/seed/app:1" app
LABEL="build app:2" t "$B" --root "$dev" build -q --build-arg VERSION=2 -t "$REGISTRY/seed/app:2" app
LABEL="build cache:1 (FROM app:1, one layer)" t "$B" --root "$dev" build -q --build-arg "APP=$REGISTRY/seed/app:1" -t "$REGISTRY/seed/cache:1" cache
for i in app:1 app:2 cache:1; do LABEL="push $i" t "$B" --root "$dev" push "$REGISTRY/seed/$i"; done

echo "== production host"
for i in app:1 cache:1; do LABEL="pull $i" t "$B" --root "$prod" pull "$REGISTRY/seed/$i"; done
LABEL="compose up (4 web replicas + balancer, cache)" t "$B" --root "$prod" compose -p seed up -d
curl -sf "http://127.0.0.1:$PORT/"
"$B" --root "$prod" compose -p seed exec -T web nc -w 1 cache 11211 </dev/null | head -n 2 | tr -d '\r'

# Clients hit the published port the whole time; count failures.
( ok=0; bad=0; while [ ! -f "$work/stop" ]; do if curl -sf -m 2 "http://127.0.0.1:$PORT/" >/dev/null; then ok=$((ok+1)); else bad=$((bad+1)); fi; done; echo "$ok $bad" > "$work/load" ) & lp=$!
LABEL="pull app:2" t "$B" --root "$prod" pull "$REGISTRY/seed/app:2"
LABEL="deploy web app:2 (rolling, 4 replicas)" t "$B" --root "$prod" deploy seed-web "$REGISTRY/seed/app:2"
curl -sf "http://127.0.0.1:$PORT/"
LABEL="rollback web (local image, no registry)" t "$B" --root "$prod" rollback seed-web
curl -sf "http://127.0.0.1:$PORT/"
touch "$work/stop"; wait "$lp"; read -r ok bad < "$work/load"
"$B" --root "$prod" deploy history seed-web
echo "requests during deploy and rollback: $ok served, $bad failed"

#!/usr/bin/env bash
# The main job on a fresh machine: install what berth needs, build it, make a busybox base image and
# import it, build the example app in examples/hello from its Dockerfile, and run it.
# State goes to $BERTH_ROOT (default: a demo root under /tmp).
set -euo pipefail
cd "$(dirname "$0")"
need=()
for p in clang zlib1g-dev libsqlite3-dev busybox-static nftables; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
./build.sh
export BERTH_ROOT=${BERTH_ROOT:-/tmp/berth-demo}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/rootfs/{bin,etc,tmp,root}
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
for a in $("$work/rootfs/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$work/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$work/rootfs/etc/passwd"
echo 'root:x:0:' > "$work/rootfs/etc/group"
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
out/berth import -c 'CMD ["/bin/sh"]' "$work/rootfs.tar" busybox:demo
out/berth build -t hello:demo examples/hello
out/berth images
out/berth run --rm hello:demo

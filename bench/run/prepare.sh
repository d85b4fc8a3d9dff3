# Shared by the "run" and "many" groups: a busybox-static image in a berth root, the same rootfs as a
# prepared crun bundle, and the same image in docker and podman. Sourced; sets RUN_ROOT, RUN_BUNDLE.
RUN_ROOT=$WORK/run-root
RUN_BUNDLE=$WORK/run-bundle
if [ ! -f "$WORK/run-rootfs.tar" ]; then
  d=$(mktemp -d); mkdir -p "$d"/{bin,etc,tmp,proc,sys,dev,root}
  cp /bin/busybox "$d/bin/"
  for a in $("$d/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$d/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$d/etc/passwd"; echo 'root:x:0:' > "$d/etc/group"; chmod 1777 "$d/tmp"
  tar -C "$d" -cf "$WORK/run-rootfs.tar" .; rm -rf "$d"
  "$BERTH" --root "$RUN_ROOT" import "$WORK/run-rootfs.tar" bench/bb:1 >/dev/null
  mkdir -p "$RUN_BUNDLE/rootfs" && tar -C "$RUN_BUNDLE/rootfs" -xf "$WORK/run-rootfs.tar"
  if command -v crun >/dev/null; then
    (cd "$RUN_BUNDLE" && crun spec && sed -i 's/"sh"/"true"/; s/"terminal": true/"terminal": false/' config.json)
  fi
  if [ "$BENCH_SMOKE" = 0 ]; then
    docker import "$WORK/run-rootfs.tar" bench/bb:1 >/dev/null 2>&1
    podman import -q "$WORK/run-rootfs.tar" bench/bb:1 >/dev/null 2>&1
  fi
fi

# Group "import": a 200 MB rootfs tarball imported by berth, docker and podman, against the raw
# throughput of `tar | sha256sum` on the same tree; and listing/inspecting a store of 1,000 images.
# Targets (issue 2): import at least 80% of tar|sha256sum throughput (time ratio <= 1.25) and faster
# than docker and podman import; `images` and `inspect` with 1,000 images under 20 ms.

size_mb=200; images=1000
[ "$BENCH_SMOKE" = 1 ] && { size_mb=5; images=10; }

tree=$WORK/import-tree; mkdir -p "$tree"
# A real-looking tree: files from /usr until the size is reached (deterministic order).
find /usr/lib /usr/share /usr/bin -xdev -type f -size -8M 2>/dev/null | sort | awk -v max=$((size_mb * 1048576)) '
  { cmd = "stat -c %s \"" $0 "\""; cmd | getline s; close(cmd); total += s; print; if (total >= max) exit }' > "$WORK/import-files"
tar -cf "$WORK/import.tar" -T "$WORK/import-files" 2>/dev/null
mb=$(du -m "$WORK/import.tar" | cut -f1)
table_header "import: ${mb} MB rootfs tarball ($(wc -l < "$WORK/import-files") files)"

R=$WORK/import-root
pair "import ${mb} MB" "$BERTH --root $R import $WORK/import.tar bench/import:1" \
  "tar -c | sha256sum" "<=1.25" "tar -cf - -T $WORK/import-files 2>/dev/null | sha256sum" \
  "docker import" "<1" "docker import $WORK/import.tar bench/import:1" \
  "podman import" "<1" "podman import -q $WORK/import.tar bench/import:1"
docker rmi -f bench/import:1 >/dev/null 2>&1; podman rmi -f bench/import:1 >/dev/null 2>&1
note "throughput: berth import of ${mb} MB; tar|sha256sum reads the same files."

# A store of many images: each import gets its own config (message), sharing one layer.
R2=$WORK/many-images-root
busybox_tar=$WORK/busybox.tar
d=$(mktemp -d); mkdir -p "$d/bin"; cp /bin/busybox "$d/bin/"; tar -C "$d" -cf "$busybox_tar" .; rm -rf "$d"
for i in $(seq "$images"); do "$BERTH" --root "$R2" import -m "image $i" "$busybox_tar" "many/img$i:1" >/dev/null || break; done
table_header "images: a store of $images images"
pair "berth images ($images images)" "$BERTH --root $R2 images" - "<20" -
pair "berth inspect (one of $images)" "$BERTH --root $R2 inspect many/img1:1" - "<20" -
note "target: images and inspect under 20 ms each with 1,000 images stored."

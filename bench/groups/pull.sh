# Group "pull": the 5-layer image of the push group, pushed once by berth, pulled cold by berth,
# docker, podman and skopeo (to an OCI directory); then a child image whose base is already there.
# Targets (issue 5): cold pull under 0.5x docker and no slower than skopeo copy; the child under
# 0.5x docker, with only the new layer on the wire.
source "$BENCH_DIR/lib-registry.sh"
mb=8; [ "$BENCH_SMOKE" = 1 ] && mb=1
registry_start || return 1
make_archive "$WORK/pull-images.tar" $mb
S=$WORK/pull-source
"$BERTH" --root "$S" load -q -i "$WORK/pull-images.tar" >/dev/null
for i in five child; do
  "$BERTH" --root "$S" tag bench/$i:1 $REG/pull/$i:1
  "$BERTH" --root "$S" push -q $REG/pull/$i:1 >/dev/null || { echo "bench: push of the pull source failed" >&2; return 1; }
done
IMG=$REG/pull/five:1 CHILD=$REG/pull/child:1
R=$WORK/pull-root
size=$(du -m "$WORK/pull-images.tar" | cut -f1)

table_header "pull: 5 layers (gzip), ${size} MB uncompressed (two images' archive), CNCF registry on loopback"
pair "pull cold (5 layers)" "rm -rf $R; $BERTH --root $R pull -q $IMG" \
  "docker pull" "<0.5" "docker rmi -f $IMG >/dev/null 2>&1; docker pull -q $IMG" \
  "podman pull" "-" "podman rmi -f $IMG >/dev/null 2>&1; podman pull -q --tls-verify=false $IMG" \
  "skopeo copy (OCI dir)" "<=1" "rm -rf $WORK/pull-oci; skopeo copy -q --src-tls-verify=false docker://$IMG oci:$WORK/pull-oci:1"

# the child: the base is present; each run removes the child (and its one unique layer) first
rm -rf "$R"; "$BERTH" --root "$R" pull -q $IMG >/dev/null
if [ "$BENCH_SMOKE" != 1 ]; then
  docker pull -q $IMG >/dev/null; podman pull -q --tls-verify=false $IMG >/dev/null
fi
pair "pull child, base present" "$BERTH --root $R rmi $CHILD >/dev/null 2>&1; $BERTH --root $R pull -q $CHILD" \
  "docker pull" "<0.5" "docker rmi $CHILD >/dev/null 2>&1; docker pull -q $CHILD" \
  "podman pull" "-" "podman rmi $CHILD >/dev/null 2>&1; podman pull -q --tls-verify=false $CHILD"
note "Each timed command includes its reset (rm -rf of berth's root or the OCI dir, rmi for docker and podman): on this disk the removal decides how fast the next pull creates its files (see the README), so a pull is timed as replacing the previous copy."
if [ "$BENCH_SMOKE" != 1 ]; then
  docker rmi -f $IMG $CHILD >/dev/null 2>&1; podman rmi -f $IMG $CHILD >/dev/null 2>&1
fi

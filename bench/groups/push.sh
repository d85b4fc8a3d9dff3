# Group "push": a 5-layer image (~33 MB of real files) pushed by berth, docker, podman and skopeo to
# a CNCF registry on loopback: cold (wiped registry; berth also drops its cached compressed blobs, so
# it compresses again like the others), with nothing new, and a child image whose base is present.
# Targets (issue 5): cold push under 0.5x docker and no slower than skopeo copy; nothing new and the
# child under 0.5x docker, with only the new layer's bytes on the wire.
source "$BENCH_DIR/lib-registry.sh"
mb=8; [ "$BENCH_SMOKE" = 1 ] && mb=1
registry_start || return 1
make_archive "$WORK/push-images.tar" $mb
R=$WORK/push-root
"$BERTH" --root "$R" load -q -i "$WORK/push-images.tar" >/dev/null
size=$(du -m "$WORK/push-images.tar" | cut -f1)
if [ "$BENCH_SMOKE" != 1 ]; then
  docker load -q -i "$WORK/push-images.tar" >/dev/null
  podman load -q -i "$WORK/push-images.tar" >/dev/null
fi
for t in berth docker podman; do
  for i in five child; do
    case $t in
      berth) "$BERTH" --root "$R" tag bench/$i:1 $REG/$t/$i:1 ;;
      docker) [ "$BENCH_SMOKE" = 1 ] || docker tag bench/$i:1 $REG/$t/$i:1 ;;
      podman) [ "$BENCH_SMOKE" = 1 ] || podman tag bench/$i:1 $REG/$t/$i:1 ;;
    esac
  done
done

table_header "push: 5 layers, ${size} MB uncompressed (two images' archive), CNCF registry on loopback"
pair "push cold (5 layers)" "rm -rf $REGDATA/docker; $BERTH --root $R image prune -f ::: $BERTH --root $R push -q $REG/berth/five:1" \
  "docker push" "<0.5" "rm -rf $REGDATA/docker ::: docker push -q $REG/docker/five:1" \
  "podman push" "-" "rm -rf $REGDATA/docker ::: podman push -q --tls-verify=false $REG/podman/five:1" \
  "skopeo copy" "<=1" "rm -rf $REGDATA/docker ::: skopeo copy -q --dest-tls-verify=false docker-archive:$WORK/push-images.tar:bench/five:1 docker://$REG/skopeo/five:1"
pair "push, nothing new" "$BERTH --root $R push -q $REG/berth/five:1" \
  "docker push" "<0.5" "docker push -q $REG/docker/five:1" \
  "podman push" "-" "podman push -q --tls-verify=false $REG/podman/five:1"

# the child: its base is in the repository; each run first unlinks the child's new layer there
for t in berth docker podman; do
  case $t in
    berth) "$BERTH" --root "$R" push -q $REG/$t/five:1 >/dev/null; "$BERTH" --root "$R" push -q $REG/$t/child:1 >/dev/null ;;
    *) [ "$BENCH_SMOKE" = 1 ] && continue
       if [ $t = docker ]; then docker push -q $REG/$t/five:1 >/dev/null; docker push -q $REG/$t/child:1 >/dev/null
       else podman push -q --tls-verify=false $REG/$t/five:1 >/dev/null; podman push -q --tls-verify=false $REG/$t/child:1 >/dev/null; fi ;;
  esac
  eval "new_$t=\$(last_layer $REG/$t/child 1)"
  eval "manifest_$t=\$(manifest_digest $REG/$t/child 1)"
done
# the reset: the child's manifest and its new layer leave the repository (a tool may skip a push whose
# manifest the tag already holds, as berth and go-containerregistry do)
unlink_new() { echo "curl -s -o /dev/null -X DELETE http://$REG/v2/$1/child/manifests/$3; curl -s -o /dev/null -X DELETE http://$REG/v2/$1/child/blobs/$2"; }
before=$(du -sb "$REGDATA" | cut -f1)
pair "push child, base present" "$(unlink_new berth "$new_berth" "$manifest_berth") ::: $BERTH --root $R push -q $REG/berth/child:1" \
  "docker push" "<0.5" "$(unlink_new docker "${new_docker:-}" "${manifest_docker:-}") ::: docker push -q $REG/docker/child:1" \
  "podman push" "-" "$(unlink_new podman "${new_podman:-}" "${manifest_podman:-}") ::: podman push -q --tls-verify=false $REG/podman/child:1"
note "Each run starts from its reset, done untimed before it: the registry's storage removed (and berth's cached compressed blobs pruned, so it compresses again like the others) for a cold push; the child's manifest and new layer deleted from the repository for a child push."
note "Bytes on the wire for a child push (berth, counted by test AChildImagePushesOnlyItsNewLayersAndMountsItsBase): only the new layer, the config and the manifest."
if [ "$BENCH_SMOKE" != 1 ]; then
  docker rmi -f $(docker images -q --filter reference="$REG/*/*") bench/five:1 bench/child:1 >/dev/null 2>&1
  podman rmi -f $REG/docker/five:1 $REG/podman/five:1 $REG/berth/five:1 $REG/docker/child:1 $REG/podman/child:1 $REG/berth/child:1 bench/five:1 bench/child:1 >/dev/null 2>&1
fi

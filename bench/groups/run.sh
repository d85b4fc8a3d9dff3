# Group "run": one container, start to exit, against the peers; exec into a running container.
# Targets (issue 3): `run --rm --network none IMG true` no slower than `crun run` on a prepared bundle
# of the same rootfs and under 0.1x `podman run`; `exec CTR true` under 20 ms.
source "$BENCH_DIR/run/prepare.sh"
R=$RUN_ROOT
table_header "run: busybox \`true\`, whole command from image name to exit"
if [ "$BENCH_SMOKE" = 1 ]; then
  pair "berth run --rm true" - "$BERTH --root $R run --rm --network none bench/bb:1 true" -- - -
else
  pair "run --rm --network none IMG true" "<=1.0" "$BERTH --root $R run --rm --network none bench/bb:1 true" \
    -- "crun run (bundle)" "crun run -b $RUN_BUNDLE bench\$\$"
  pair "run --rm --network none IMG true" "<0.1" "$BERTH --root $R run --rm --network none bench/bb:1 true" \
    -- "podman run" "podman run --rm --network none bench/bb:1 true" \
    -- "docker run" "docker run --rm --network none bench/bb:1 true"
fi
id=$("$BERTH" --root "$R" run -d --network none bench/bb:1 sleep 100000)
table_header "exec: \`true\` in a running container"
if [ "$BENCH_SMOKE" = 1 ]; then
  pair "berth exec true" - "$BERTH --root $R exec $id true" -- - -
else
  docker run -d --name bench-exec --network none bench/bb:1 sleep 100000 >/dev/null 2>&1
  podman run -d --name bench-exec --network none bench/bb:1 sleep 100000 >/dev/null 2>&1
  pair "exec CTR true" - "$BERTH --root $R exec $id true" \
    -- "docker exec" "docker exec bench-exec true" \
    -- "podman exec" "podman exec bench-exec true"
  docker rm -f bench-exec >/dev/null 2>&1; podman rm -f bench-exec >/dev/null 2>&1
fi
"$BERTH" --root "$R" rm -f "$id" >/dev/null
note "target: berth exec under 20 ms (absolute); run no slower than crun run on a prepared bundle."
note "where the time goes: \`berth -D run ...\` prints a mark per phase (image, snapshot, bundle, cgroups, stage, exit, cleanup)."

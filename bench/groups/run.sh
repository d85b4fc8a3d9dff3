# Group "run": one container, start to exit, against the peers; exec into a running container.
# Targets (issue 3): `run --rm --network none IMG true` no slower than `crun run` on a prepared bundle
# of the same rootfs and under 0.1x `podman run`; `exec CTR true` under 20 ms.
source "$BENCH_DIR/run/prepare.sh"
R=$RUN_ROOT
run_true="$BERTH --root $R run --rm --network none bench/bb:1 true"
table_header "run: busybox \`true\`, whole command from image name to exit"
pair "run --rm --network none IMG true" "$run_true" \
  "crun run (prepared bundle)" "<=1.0" "crun run -b $RUN_BUNDLE bench\$\$" \
  "podman run" "<0.1" "podman run --rm --network none bench/bb:1 true" \
  "docker run" "<0.1" "docker run --rm --network none bench/bb:1 true"
note "where the time goes: \`berth -D run ...\` prints a mark per phase (image, snapshot, bundle, cgroups, stage, exit, cleanup)."

id=$("$BERTH" --root "$R" run -d --network none bench/bb:1 sleep 100000)
table_header "exec: \`true\` in a running container"
pair "exec CTR true" "$BERTH --root $R exec $id true" - "<20" -
if [ "$BENCH_SMOKE" = 0 ]; then
  docker run -d --name bench-exec --network none bench/bb:1 sleep 100000 >/dev/null 2>&1
  podman run -d --name bench-exec --network none bench/bb:1 sleep 100000 >/dev/null 2>&1
  pair "exec CTR true" "$BERTH --root $R exec $id true" \
    "docker exec" "-" "docker exec bench-exec true" \
    "podman exec" "-" "podman exec bench-exec true"
  docker rm -f bench-exec >/dev/null 2>&1; podman rm -f bench-exec >/dev/null 2>&1
fi
"$BERTH" --root "$R" rm -f "$id" >/dev/null

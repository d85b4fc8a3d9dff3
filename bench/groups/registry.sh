# Group "registry": berth's registry against the CNCF distribution registry on loopback (wrk, skopeo,
# RSS). Targets (issue 6): manifest and blob GET at least 1.5x distribution; skopeo copy into it no
# slower; memory at rest under 50 MB. The measuring script is bench/registry/run.sh.
args=(); [ "$BENCH_SMOKE" = 1 ] && args=(--smoke)
BERTH_BIN=$BERTH bash "$BENCH_DIR/registry/run.sh" "${args[@]}" | tee -a "$RESULTS"

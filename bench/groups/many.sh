# Group "many": 100 detached `sleep` containers started one after another, berth against docker;
# memory added per running container. Targets (issue 3): at least 5x faster than docker; under 2 MB
# per container, monitor included.
source "$BENCH_DIR/run/prepare.sh"
R=$RUN_ROOT
n=100; [ "$BENCH_SMOKE" = 1 ] && n=3
table_header "many: $n detached \`sleep\` containers, started one after another"
berth_cmd="for i in \$(seq $n); do $BERTH --root $R run -d --network none bench/bb:1 sleep 100000 >/dev/null || exit 1; done; $BERTH --root $R rm -f \$($BERTH --root $R ps -q) >/dev/null"
if [ "$BENCH_SMOKE" = 1 ]; then
  pair "berth run -d x$n (+ rm -f)" - "$berth_cmd" -- - -
else
  BENCH_RUNS=3 pair "run -d x$n (+ rm -f)" "<=0.2" "$berth_cmd" \
    -- "docker run -d x$n (+ rm -f)" "for i in \$(seq $n); do docker run -d --network none bench/bb:1 sleep 100000 >/dev/null || exit 1; done; docker rm -f \$(docker ps -q --filter ancestor=bench/bb:1) >/dev/null"
fi
note "memory: $(bash "$BENCH_DIR/run/memory.sh" "$BERTH" "$R" bench/bb:1 "$n")"
note "targets: ratio <= 0.2 (5x faster than docker); added_kb_per_container < 2048."

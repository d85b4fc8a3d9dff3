# Group "many": 100 detached `sleep` containers started one after another, berth against docker;
# memory added per running container. Targets (issue 3): at least 5x faster than docker; under 2 MB
# per container, monitor included.
source "$BENCH_DIR/run/prepare.sh"
R=$RUN_ROOT
n=100; [ "$BENCH_SMOKE" = 1 ] && n=3
table_header "many: $n detached \`sleep\` containers, started one after another (then rm -f)"
berth_cmd="for i in \$(seq $n); do $BERTH --root $R run -d --network none bench/bb:1 sleep 100000 >/dev/null || exit 1; done; $BERTH --root $R rm -f \$($BERTH --root $R ps -q) >/dev/null"
docker_cmd="for i in \$(seq $n); do docker run -d --network none bench/bb:1 sleep 100000 >/dev/null || exit 1; done; docker rm -f \$(docker ps -q --filter ancestor=bench/bb:1) >/dev/null"
BENCH_RUNS=$([ "$BENCH_SMOKE" = 1 ] && echo 1 || echo 3) pair "run -d x$n" "$berth_cmd" "docker run -d x$n" "<=0.2" "$docker_cmd"
note "memory: $(bash "$BENCH_DIR/run/memory.sh" "$BERTH" "$R" bench/bb:1 "$n") (target: added_kb_per_container < 2048)"

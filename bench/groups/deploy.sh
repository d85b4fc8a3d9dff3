# Group "deploy": compose and rollouts. Targets (issue 9): `compose up` of 16 replicas plus a load balancer
# at least 3x faster than docker-compose 1.29 over docker.io (ratio <= 0.33); a rollout's switch under
# 100 ms after the new replica is healthy; a rollback to a local image under 1 s end to end.
#
# What is compared: berth runs 16 httpd replicas on the project network with its built-in balancer on one
# published port. docker-compose has no balancer and 16 replicas cannot share a published host port, so its
# side runs the same 16 replicas on its project network without the published port (dockerd here runs with
# --bridge=none --iptables=false; the project network is a user bridge, which works). Both use init: true and a
# 1 s stop grace period; each measured command is `up -d` followed by `down`.
source "$BENCH_DIR/run/prepare.sh"
R=$RUN_ROOT
D=$WORK/deploy; mkdir -p "$D/v1" "$D/v2" "$D/docker"
n=16; [ "$BENCH_SMOKE" = 1 ] && n=2
port=$((21000 + RANDOM % 9000))
for v in v1 v2; do
  printf 'FROM bench/bb:1\nRUN mkdir /www && echo %s > /www/index.html\nCMD ["httpd","-f","-p","8080","-h","/www"]\n' $v > "$D/$v/Dockerfile"
  "$BERTH" --root "$R" build -q -t bench/app:$v "$D/$v" >/dev/null
done
service() { # service IMAGE REPLICAS PORTS
  printf 'services:\n  web:\n    image: %s\n    init: true\n    stop_grace_period: 1s\n    deploy: { replicas: %s }\n%s    healthcheck: { test: ["CMD", "wget", "-qO-", "http://127.0.0.1:8080/"], interval: 200ms, retries: 3 }\n' "$1" "$2" "$3"
}
service bench/app:v1 $n "    ports: [\"127.0.0.1:$port:8080\"]\n" | sed 's/\\n/\n/' > "$D/compose.yml"
service bench/app:v1 $n "" > "$D/docker/docker-compose.yml"
if [ "$BENCH_SMOKE" = 0 ]; then
  docker build -q -t bench/app:v1 "$D/v1" >/dev/null 2>&1
fi
table_header "deploy: compose up -d then down, $n httpd replicas (berth: plus its load balancer)"
pair "compose up -d + down, $n replicas" \
  "$BERTH --root $R compose -f $D/compose.yml -p bench up -d && $BERTH --root $R compose -f $D/compose.yml -p bench down" \
  "docker-compose 1.29" "<=0.33" "cd $D/docker && docker-compose -p bench up -d && docker-compose -p bench down"

# The rollout's switch (healthy -> balancer applied) as berth deploy reports it, then rollback end to end.
service bench/app:v1 1 "    ports: [\"127.0.0.1:$port:8080\"]\n" | sed 's/\\n/\n/' > "$D/one.yml"
"$BERTH" --root "$R" compose -f "$D/one.yml" -p one up -d >/dev/null 2>&1
out=$("$BERTH" --root "$R" deploy one-web bench/app:v2 2>/dev/null)
note "rollout of one replica: ${out:-failed} (the switch: from the new replica healthy to the balancer applying it; target < 100 ms)"
# Each rollback returns to the revision before the current one, so successive runs alternate v1 and v2.
table_header "rollback to a local image, 1 replica, end to end"
BENCH_RUNS=$([ "$BENCH_SMOKE" = 1 ] && echo 1 || echo 5) pair "rollback one-web" "$BERTH --root $R rollback one-web" - "<1000" -
"$BERTH" --root "$R" compose -f "$D/one.yml" -p one down >/dev/null 2>&1

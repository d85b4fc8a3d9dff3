#!/usr/bin/env bash
# An HAProxy from Debian (apt-get install haproxy) in front of the berth containers carrying a label,
# reconfigured from `berth events` whenever one of them starts or dies: nobody edits its configuration.
#   berth-haproxy.sh LABEL=VALUE LISTEN_PORT [BACKEND_PORT]     (BERTH: the berth binary, default berth;
#                                                                BERTH_ROOT: its state root, as berth reads it)
# Listens on 127.0.0.1:LISTEN_PORT and balances round-robin over each labelled container's first address
# (the host reaches container addresses on berth's bridges directly). Prints one line per reload.
set -euo pipefail
label=${1:?usage: berth-haproxy.sh LABEL=VALUE LISTEN_PORT [BACKEND_PORT]}
listen=${2:?usage: berth-haproxy.sh LABEL=VALUE LISTEN_PORT [BACKEND_PORT]}
backend_port=${3:-80}
berth=${BERTH:-berth}
command -v haproxy >/dev/null || { echo "berth-haproxy: haproxy not found (apt-get install haproxy)" >&2; exit 1; }

dir=$(mktemp -d /tmp/berth-haproxy.XXXXXX)
cfg=$dir/haproxy.cfg
pidfile=$dir/haproxy.pid
events=
stop() {
  [ -n "$events" ] && kill "$events" 2>/dev/null
  [ -f "$pidfile" ] && kill $(cat "$pidfile") 2>/dev/null
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 0' INT TERM

# render [GONE_ID]: the configuration from the running containers with the label (GONE_ID excluded: it
# has just died). Written whole, then renamed.
render() {
  local gone=${1:-} n=0 id ip
  {
    printf 'global\n  log stderr format raw local0 err\n'
    printf 'defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n'
    printf 'frontend in\n  bind 127.0.0.1:%s\n  default_backend app\n' "$listen"
    printf 'backend app\n  balance roundrobin\n'
    for id in $("$berth" ps -q --no-trunc --filter "label=$label"); do
      [ "$id" = "$gone" ] && continue
      ip=$("$berth" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$id" | awk '{print $1}')
      [ -n "$ip" ] || continue
      printf '  server %s %s:%s\n' "${id:0:12}" "$ip" "$backend_port"
      n=$((n + 1))
    done
  } > "$cfg.tmp"
  mv "$cfg.tmp" "$cfg"
  echo "$n"
}

# reload [GONE_ID]: a new haproxy takes the listening socket over; the old one finishes its connections (-sf).
reload() {
  local n old=
  n=$(render "${1:-}")
  [ -f "$pidfile" ] && old=$(cat "$pidfile")
  haproxy -q -c -f "$cfg" >/dev/null
  haproxy -D -p "$pidfile" -f "$cfg" ${old:+-sf $old}
  echo "berth-haproxy: $n backend(s) on 127.0.0.1:$listen"
}

# Follow from before the state is read, so no start or death falls between the two.
exec 3< <(exec "$berth" events --since "$(date +%s.%N)" --filter type=container --filter event=start --filter event=die \
  --filter "label=$label" --format '{{.Action}} {{.Actor.ID}}')
events=$!
reload
while read -r action id <&3; do
  if [ "$action" = die ]; then reload "$id"; else reload; fi
done

# Shared by the benchmark groups: timing, pairing, tables. Sourced by bench/run.sh.
# Every workload is measured as pairs: berth, then the peer, repeated (ABAB...), after a warm-up of
# each, so machine noise falls on both sides alike. A ratio is berth/peer computed pair by pair.

BENCH_RUNS=${BENCH_RUNS:-10}
RESULTS=${RESULTS:-/dev/null}

# now_us: microseconds since the epoch, without forking (bash 5's EPOCHREALTIME)
now_us() { local t=${EPOCHREALTIME/./}; echo "$t"; }

# measure CMD...: runs CMD once; prints "<ms> <peak_rss_kb>"; fails if CMD fails
measure() {
  local rss_file; rss_file=$(mktemp)
  local s e rc
  s=$(now_us)
  /usr/bin/time -f %M -o "$rss_file" "$@" >/dev/null 2>"$rss_file.err"; rc=$?
  e=$(now_us)
  local rss; rss=$(tail -n1 "$rss_file" 2>/dev/null)
  if [ $rc -ne 0 ]; then
    echo "bench: command failed ($rc): $*" >&2; tail -n 3 "$rss_file.err" >&2
    rm -f "$rss_file" "$rss_file.err"; return 1
  fi
  rm -f "$rss_file" "$rss_file.err"
  awk -v s="$s" -v e="$e" -v r="${rss:-0}" 'BEGIN{printf "%.2f %d\n", (e-s)/1000, r}'
}

# timed CMD: "RESET ::: WORK" runs RESET untimed, then measures WORK; a plain CMD is measured whole
timed() {
  local cmd=$1
  if [[ $cmd == *" ::: "* ]]; then bash -c "${cmd%% ::: *}" >/dev/null 2>&1; cmd=${cmd#* ::: }; fi
  measure bash -c "$cmd"
}

# whole CMD: the command as one script, reset included (for warm-ups and availability checks)
whole() { printf '%s' "${1// ::: /; }"; }

# stats FILE: "median min max" of the first column
stats() { sort -n "$1" | awk '{a[NR]=$1} END{m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f %.2f %.2f", m, a[1], a[NR]}'; }

# md TEXT: TEXT safe inside a Markdown table cell
md() { printf '%s' "$1" | sed 's/|/\\|/g'; }

# pair NAME BERTH_CMD [PEER TARGET PEER_CMD]...
#   Each command is one string run with bash -c; "RESET ::: WORK" times only WORK, after an
#   untimed RESET (the state each run starts from: a wiped registry, a removed image). TARGET
#   bounds the ratio berth/peer ("<=1.0", "<0.25") or is "-". With no peer, berth alone is timed (TARGET then bounds its median in ms).
#   Prints one Markdown row per peer.
pair() {
  local name=$1 berth_cmd=$2; shift 2
  local runs=$BENCH_RUNS
  [ $# -eq 0 ] && set -- - - -
  while [ $# -ge 3 ]; do
    local peer=$1 target=$2 peer_cmd=$3; shift 3
    # Smoke mode: berth alone, once; a ratio target means nothing without its peer.
    [ "$BENCH_SMOKE" = 1 ] && { [ "$peer" != "-" ] && target=-; peer=-; }
    local d; d=$(mktemp -d)
    if [ "$peer" != "-" ] && ! bash -c "$(whole "$peer_cmd")" >/dev/null 2>&1; then
      printf '| %s | - | %s | unavailable | | | | %s |\n' "$(md "$name")" "$(md "$peer")" "$target" | tee -a "$RESULTS"; rm -rf "$d"; continue
    fi
    bash -c "$(whole "$berth_cmd")" >/dev/null 2>&1   # warm-up
    for _ in $(seq "$runs"); do
      timed "$berth_cmd" >> "$d/b" || { echo "| $(md "$name") | FAILED | | $(md "$peer") | | | | $target |" | tee -a "$RESULTS"; rm -rf "$d"; return 1; }
      [ "$peer" = "-" ] && continue
      timed "$peer_cmd" >> "$d/p" || break
    done
    local bmed bmin bmax; read -r bmed bmin bmax < <(stats "$d/b")
    local brss; brss=$(awk '{print $2}' "$d/b" | sort -n | tail -n1)
    if [ "$peer" = "-" ]; then
      local verdict; verdict=$(judge "$bmed" "$target")
      printf '| %s | %s (%s–%s) | - | - | - | %s | - | %s %s |\n' "$(md "$name")" "$bmed" "$bmin" "$bmax" "$brss" "$target" "$verdict" | tee -a "$RESULTS"
    else
      paste "$d/b" "$d/p" | awk '{ if ($3 > 0) print $1/$3 }' > "$d/r"
      local pmed rmed rmin rmax; read -r pmed _ _ < <(stats "$d/p"); read -r rmed rmin rmax < <(stats "$d/r")
      local prss; prss=$(awk '{print $2}' "$d/p" | sort -n | tail -n1)
      printf '| %s | %s | %s | %s | %s (%s–%s) | %s | %s | %s %s |\n' "$(md "$name")" "$bmed" "$(md "$peer")" "$pmed" "$rmed" "$rmin" "$rmax" "$brss" "$prss" "$target" "$(judge "$rmed" "$target")" | tee -a "$RESULTS"
    fi
    rm -rf "$d"
  done
}

# judge VALUE TARGET: "met", "**MISSED**", or nothing when there is no target
judge() {
  local v=$1 target=$2
  [ "$target" = "-" ] && return
  local op=${target%%[0-9.]*} bound=${target##*[<>=]}
  if awk -v r="$v" -v b="$bound" -v op="$op" 'BEGIN{ ok = (op=="<=")? r<=b : (op=="<")? r<b : (op==">=")? r>=b : r>b; exit !ok }'; then echo met; else echo "**MISSED**"; fi
}

# table_header TITLE: a group's table header
table_header() {
  { echo; echo "### $1"; echo
    echo "| workload | berth ms (median) | peer | peer ms (median) | ratio berth/peer median (min–max) | berth peak RSS KB | peer peak RSS KB | target |"
    echo "|---|---|---|---|---|---|---|---|"; } | tee -a "$RESULTS"
}

# note TEXT: a line under a table (figures that are not ratios)
note() { echo "$*" | tee -a "$RESULTS"; }

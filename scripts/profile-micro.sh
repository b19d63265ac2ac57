#!/usr/bin/env bash
# Profiles micro's Node side outside ./lab (free ports, so it never collides with a running profile): starts
# mongo-java-server and the six processes pinned to CPU 1 (taskset; no cgroup budget), k6 pinned to CPU 0, runs a
# 5 s warm-up and one measured k6 run, and prints CPU milliseconds per request for the database and each process
# (from /proc/<pid>/stat, over the measured run only). With --cpu-prof each Node process also writes a V8 CPU
# profile (whole life: start, seed, warm-up, run) to OUT/prof; summarise them with scripts/cpuprofile-summary.mjs.
# With --replay the five services run through scripts/micro-replay-service.mjs (each distinct GET answered once by
# the real handler, then replayed): the BFF and the plumbing at work, the services' database and business code not;
# the last line then says how many of the measured run's service calls were replayed.
#   usage: scripts/profile-micro.sh <scenario.ts> <vus> <duration> <out-dir> [--cpu-prof] [--replay]
#   e.g.   scripts/profile-micro.sh 03-pdp.ts 10 10s /tmp/prof/pdp --cpu-prof
# MICRO_DIST (default implementations/micro/dist) runs another build of micro, for before/after comparisons;
# WARMUP (default 5s) is the unmeasured k6 run before the measured one; STEP picks one step of the scenario's
# profile (e.g. 08-capacity.ts with STEP=rate-100: an open model, so that two builds compare at the same rate).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SC="$1"; VUS="$2"; DUR="$3"; OUT="$4"; shift 4
PROF=""; REPLAY=""
for flag in "$@"; do
  case "$flag" in
    --cpu-prof) PROF=1 ;;
    --replay) REPLAY=1 ;;
    *) echo "profile-micro: unknown option $flag (expected --cpu-prof or --replay)" >&2; exit 2 ;;
  esac
done
DIST="${MICRO_DIST:-implementations/micro/dist}"
K6="$(cd "$ROOT" && node scripts/tool-path.mjs k6 mongo-java-server)"
MJS="$(echo "$K6" | sed -n 2p)"; K6="$(echo "$K6" | sed -n 1p)"
DATA="$("$ROOT/run-benchmark.sh" data)"
rm -rf "$OUT"; mkdir -p "$OUT"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
db=$(free_port)
JAVA_OPTS="-Xmx384m -XX:+UseSerialGC" taskset -c 1 "$MJS" 127.0.0.1 "$db" >"$OUT/mongo.log" 2>&1 &
pids+=($!)
declare -A port
export NODE_ENV=production HOST=127.0.0.1 LAB_SEED=42 LAB_SCALE=1 LAB_ADMIN_TOKEN=profile-micro-token LOG_LEVEL=warn
export MONGO_URL="mongodb://127.0.0.1:$db"
for s in catalog pricing inventory reviews orders bff; do
  port[$s]=$(free_port)
  [ "$s" = bff ] || export "${s^^}_URL=http://127.0.0.1:${port[$s]}"
done
wait_health() {
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return 0; sleep 0.2; done
  echo "profile-micro: port $1 not healthy" >&2; exit 1
}
cd "$ROOT"
for s in catalog pricing inventory reviews orders bff; do
  [ "$s" = bff ] && for x in catalog pricing inventory reviews orders; do wait_health "${port[$x]}"; done
  flags=()
  [ -n "$PROF" ] && flags=(--cpu-prof "--cpu-prof-dir=$OUT/prof" "--cpu-prof-name=$s.cpuprofile")
  entry=("$DIST/src/bin/$s.js")
  [ -e "${entry[0]}" ] || entry=("$DIST/src/$s.js") # builds before the entries moved to src/bin/
  [ -n "$REPLAY" ] && [ "$s" != bff ] && entry=(scripts/micro-replay-service.mjs "$DIST" "$s")
  PORT=${port[$s]} taskset -c 1 node "${flags[@]}" "${entry[@]}" >"$OUT/$s.log" 2>&1 &
  pids+=($!)
done
wait_health "${port[bff]}"
k6() { (cd scenarios && taskset -c 0 "$K6" run -q -e "LAB_DATA=$DATA" -e "LAB_BASE_URL=http://127.0.0.1:${port[bff]}" \
  -e "LAB_VUS=$VUS" -e "LAB_ADMIN_TOKEN=$LAB_ADMIN_TOKEN" ${STEP:+-e "LAB_STEP=$STEP"} "$@" "$SC" >>"$OUT/k6.log" 2>&1) || true; }
k6 -e "LAB_DURATION=${WARMUP:-5s}"
cpu() { for p in "${pids[@]}"; do awk '{print $14+$15}' "/proc/$p/stat"; done | tr '\n' ' '; }
# Replay counters before and after the measured run (the services are pids 2-6: mongo first, bff last).
replay_counts() { [ -z "$REPLAY" ] || { kill -USR2 "${pids[@]:1:5}"; sleep 0.3; }; }
replay_counts
before=$(cpu)
k6 -e "LAB_DURATION=$DUR" -e "LAB_SUMMARY=$OUT/k6.json"
after=$(cpu)
replay_counts
cleanup; pids=(); sleep 2
node - "$OUT/k6.json" "$(getconf CLK_TCK)" "$before" "$after" <<'JS'
const [file, tck, b, a] = process.argv.slice(2);
const m = JSON.parse(require('fs').readFileSync(file, 'utf8')).metrics;
const v = (k) => m[k].values ?? m[k];
const reqs = v('http_reqs').count;
const names = ['mongo', 'catalog', 'pricing', 'inventory', 'reviews', 'orders', 'bff'];
const ms = b.trim().split(' ').map((x, i) => ((Number(a.trim().split(' ')[i]) - Number(x)) * 1000) / Number(tck) / reqs);
const node = ms.slice(1).reduce((s, x) => s + x, 0);
console.log(
  `${reqs} req, ${v('http_reqs').rate.toFixed(0)} req/s, errors ${(v('http_req_failed').rate * 100).toFixed(2)}%, ` +
    `p50 ${v('http_req_duration').med.toFixed(1)} ms | CPU ms/req: total ${(ms[0] + node).toFixed(2)}, ` +
    `database ${ms[0].toFixed(2)}, Node ${node.toFixed(2)} (` +
    names.slice(1).map((n, i) => `${n} ${ms[i + 1].toFixed(2)}`).join(', ') + ')',
);
JS
if [ -n "$REPLAY" ]; then
  cat "$OUT"/{catalog,pricing,inventory,reviews,orders}.log | node -e '
    const lines = require("fs").readFileSync(0, "utf8").match(/^replay .*$/gm) ?? [];
    const at = (i) => lines.filter((_, j) => j % 2 === i).map((l) => l.match(/\d+/g).map(Number));
    const [b, a] = [at(0), at(1)];
    const hits = a.reduce((s, x, i) => s + x[0] - b[i][0], 0), misses = a.reduce((s, x, i) => s + x[1] - b[i][1], 0);
    console.log(`replayed ${hits} of ${hits + misses} service calls in the measured run (${misses} ran the real handler)`);'
fi

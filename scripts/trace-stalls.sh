#!/usr/bin/env bash
# A per-second trace of one target under the lab's budget at one constant product-page rate (a step of scenario
# 08's open model): per second, the requests k6 completed, their p99 and max latency (k6's per-request CSV), the
# target's CPU by thread name (/proc/<pid>/task/*/stat of every process in its cgroup) and the CFS periods its
# cgroup was throttled in (cpu.stat). For a p99 that misses the SLO now and then: is it a periodic burst, which
# thread, and does the quota stretch it? Starts the target with `./lab up` (its budget from .env) and stops it.
#   usage: [PAUSE=s] scripts/trace-stalls.sh <target> <08 step, e.g. rate-140> <seconds, e.g. 120> <out-dir>
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="$1"; STEP="$2"; SECONDS_="$3"; OUT="$4"
[[ "$SECONDS_" =~ ^[0-9]+$ ]] || { echo "trace-stalls: seconds must be a whole number" >&2; exit 2; }
cd "$ROOT"
K6="$(node scripts/tool-path.mjs k6)"
DATA="$(./run-benchmark.sh data)"
LOADGEN_CPUS="$(sed -n 's/^LAB_LOADGEN_CPUSET=//p' .env 2>/dev/null || true)"
rm -rf "$OUT"; mkdir -p "$OUT"
./lab up "$TARGET" >"$OUT/up.log"
sampler=""
cleanup() { [ -z "$sampler" ] || kill "$sampler" 2>/dev/null || true; ./lab down "$TARGET" >/dev/null || true; }
trap cleanup EXIT
read -r URL CG < <(node -e '
  const [targets, status, id] = process.argv.slice(1);
  const url = JSON.parse(targets).find((t) => t.id === id).url;
  console.log(url, JSON.parse(status).find((p) => p.profile === id).cgroup);' \
  "$(./lab targets --json)" "$(./lab status --json)" "$TARGET")
CPU_DIR="/sys/fs/cgroup/cpu/$CG"; ACCT="/sys/fs/cgroup/cpuacct/$CG/cpuacct.usage" # cgroup v1, as on these machines
[ -d "$CPU_DIR" ] || { echo "trace-stalls: no cgroup v1 cpu controller for $CG" >&2; exit 1; }
k6() { (cd scenarios && taskset -c "${LOADGEN_CPUS:-0}" "$K6" run -q -e "LAB_DATA=$DATA" -e "LAB_BASE_URL=$URL" "$@" \
  08-capacity.ts >>"$OUT/k6.log" 2>&1) || true; }
k6 -e LAB_STEP=rate-50 -e LAB_DURATION=60s # scenario 08's own warm-up
# PAUSE (seconds, default 0) between the warm-up and the trace: moves the trace against the target's own clock,
# to tell a period of the target (it moves in the trace) from one of the load (it stays).
sleep "${PAUSE:-0}"
# Once a second: a time mark, the profile cgroup's CPU counters (the budget is set there), and the stat line of
# every thread of every process in its services' cgroups.
(
  # When each process started (boot time + its start in clock ticks): to place its own logs (e.g. --trace-gc,
  # whose times count from the process's start) on the trace's clock.
  echo "B $(awk '/^btime/ {print $2}' /proc/stat) $(getconf CLK_TCK)"
  for p in $(cat "$CPU_DIR"/*/cgroup.procs 2>/dev/null); do echo "P $p $(awk '{print $22}' /proc/"$p"/stat)"; done
  while :; do
    echo "T $(date +%s%3N)"
    echo "U $(cat "$ACCT")"
    sed 's/^/C /' "$CPU_DIR/cpu.stat"
    for p in $(cat "$CPU_DIR"/*/cgroup.procs 2>/dev/null); do
      cat /proc/"$p"/task/*/stat 2>/dev/null | sed 's/^/S /'
    done
    sleep 1
  done
) >"$OUT/samples.txt" &
sampler=$!
K6_CSV_TIME_FORMAT=unix_milli k6 -e "LAB_STEP=$STEP" -e "LAB_DURATION=${SECONDS_}s" --out "csv=$OUT/requests.csv"
kill "$sampler"; sampler=""
node scripts/trace-stalls-table.mjs "$OUT" | tee "$OUT/trace.txt"

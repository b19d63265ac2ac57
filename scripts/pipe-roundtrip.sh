#!/usr/bin/env bash
# The kernel's cost of waking another process, on this machine: a one-byte pipe ping-pong between two processes
# pinned to one core (two context switches per round trip) and across the SUT's and the load generator's cores
# (a cross-core wake-up each way, an inter-processor interrupt on a virtual machine), and one trivial system call.
# For comparing machines and periods that the speed probe cannot tell apart (docs/methodology.md, "Machines and
# slow episodes"). Python, not Node: Node's own cost per message would hide the kernel's.
#   usage: scripts/pipe-roundtrip.sh [round trips, default 20000]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-20000}"
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "pipe-roundtrip: round trips must be a positive whole number" >&2; exit 2; }
command -v python3 >/dev/null || { echo "pipe-roundtrip: needs python3" >&2; exit 2; }
SUT="$(sed -n 's/^LAB_SUT_CPUSET=//p' "$ROOT/.env")"
LOADGEN="$(sed -n 's/^LAB_LOADGEN_CPUSET=//p' "$ROOT/.env")"
# probe <core of the first process> <core of the second>
probe() {
  python3 - "$N" "$1" "$2" <<'PY'
import os, sys, time
n, a, b = (int(x) for x in sys.argv[1:4])
r1, w1 = os.pipe(); r2, w2 = os.pipe()
pid = os.fork()
os.sched_setaffinity(0, {b if pid == 0 else a})
if pid == 0:
    for _ in range(n):
        os.read(r1, 1); os.write(w2, b"x")
    os._exit(0)
t = time.perf_counter()
for _ in range(n):
    os.write(w1, b"x"); os.read(r2, 1)
rt = (time.perf_counter() - t) / n * 1e6
os.waitpid(pid, 0)
t = time.perf_counter()
for _ in range(200000):
    os.getppid()
sc = (time.perf_counter() - t) / 200000 * 1e9
print(f"{rt:8.2f} us per round trip, {sc:5.0f} ns per system call")
PY
}
# The lab's cpusets name one core each on these machines; the first core of each is used.
s="${SUT%%[,-]*}"; l="${LOADGEN%%[,-]*}"
printf 'one core (%s):      ' "$s"; probe "$s" "$s"
printf 'one core (%s):      ' "$l"; probe "$l" "$l"
printf 'across cores (%s, %s): ' "$s" "$l"; probe "$s" "$l"

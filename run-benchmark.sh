#!/usr/bin/env bash
# ./run-benchmark.sh — the lab's benchmark runner. See `./run-benchmark.sh --help` and docs/methodology.md.
# A thin entry: bootstraps a fresh clone (npm ci, build), then runs the TypeScript CLI (runner/src/benchmark/).
# Tools (k6, the targets' databases) are found or installed by the lab's own tool finder (./lab doctor).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cli="$here/runner/dist/src/benchmark/cli.js"
who=run-benchmark
# A measurement from a fresh clone: first what the set-up cannot install itself (root, apt-get, Node, Go), at once.
case "${1:-}" in
  "" | help | -h | --help | list | report | note | data) ;;
  *)
    if [ ! -d "$here/node_modules" ]; then
      preflight_retry="sudo ./run-benchmark.sh $*"
      # shellcheck source=runner/bin/setup-preflight
      . "$here/runner/bin/setup-preflight"
    fi
    ;;
esac
# shellcheck source=runner/bin/ensure-built
. "$here/runner/bin/ensure-built"
# Scenarios 10-12 have their own small CLIs (runner/src/faults, runner/src/coldstart, runner/src/scale).
case "${1:-}" in
  faults) shift; exec node "$here/runner/dist/src/faults/cli.js" "$@" ;;
  cold-start) shift; exec node "$here/runner/dist/src/coldstart/cli.js" "$@" ;;
  scale) shift; exec node "$here/runner/dist/src/scale/cli.js" "$@" ;;
  resilience-report) shift; exec node "$here/runner/dist/src/resilience/report-cli.js" "$@" ;;
esac
exec node "$cli" "$@"

#!/usr/bin/env bash
# ./run-benchmark.sh — the lab's benchmark runner. See `./run-benchmark.sh --help` and docs/methodology.md.
# A thin entry: bootstraps a fresh clone (npm ci, build), then runs the TypeScript CLI (runner/src/benchmark/).
# Tools (k6) are found or built by the lab's own tool finder (./lab doctor).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cli="$here/runner/dist/src/benchmark/cli.js"
who=run-benchmark
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

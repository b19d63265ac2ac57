#!/usr/bin/env bash
# ./run-benchmark.sh — the lab's benchmark runner. See `./run-benchmark.sh --help` and docs/methodology.md.
# A thin entry: bootstraps a fresh clone (npm ci, build), then runs the TypeScript CLI (runner/src/benchmark/).
# Tools (k6) are found or built by the lab's own tool finder (./lab doctor).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cli="$here/runner/dist/src/benchmark/cli.js"
if [ ! -d "$here/node_modules" ]; then
  echo "run-benchmark: first run: installing npm dependencies (npm ci)..." >&2
  (cd "$here" && npm ci --no-audit --no-fund >&2)
fi
# Rebuild when any TypeScript source is newer than the compiled runner (a fresh clone has no dist/).
# LAB_NO_BUILD=1 skips this (CI and tests that have just built).
if [ "${LAB_NO_BUILD:-}" != "1" ]; then
  if [ ! -f "$cli" ] || [ -n "$(find "$here/runner/src" "$here/implementations" -name '*.ts' -newer "$cli" -not -path '*/node_modules/*' -print -quit 2>/dev/null)" ]; then
    echo "run-benchmark: building (npx tsc -b)..." >&2
    (cd "$here" && npx --no-install tsc -b >&2) || { echo "run-benchmark: build failed (npx tsc -b)" >&2; exit 1; }
  fi
fi
exec node "$cli" "$@"

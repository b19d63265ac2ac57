#!/usr/bin/env bash
# Times the README's test command as a new user meets it: `git clone` of this repository's HEAD into an empty
# folder, empty npm and Go caches (under the folder), the lab's own tools hidden from PATH, then `./lab setup` and
# `npm test`. Debian packages are not removed (the machine may be shared), so apt-get's time is not included.
#   usage: scripts/fresh-clone-timing.sh [WORK_DIR]   (default /tmp/lab-fresh-timing; it is emptied first)
# Writes WORK_DIR/setup.log, WORK_DIR/test.log and WORK_DIR/result.txt (the times and exit codes).
set -u
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
D="${1:-/tmp/lab-fresh-timing}"
rm -rf "$D/work" "$D/cache"
mkdir -p "$D/work" "$D/cache"
export GOMODCACHE=$D/cache/gomod GOCACHE=$D/cache/gobuild GOPATH=$D/cache/gopath npm_config_cache=$D/cache/npm
unset NODE_TEST_CONTEXT K6_BIN FERRETDB_BIN DOCKER_COMPOSE_BIN CADVISOR_BIN MONGO_JAVA_SERVER_BIN LAB_NO_BUILD
path=""
IFS=: read -ra dirs <<< "$PATH"
for d in "${dirs[@]}"; do
  hide=0
  for t in k6 ferretdb docker-compose cadvisor mongo-java-server; do [ -x "$d/$t" ] && hide=1; done
  [ $hide = 0 ] && path="${path:+$path:}$d"
done
export PATH="$path"
cd "$D/work"
t0=$(date +%s)
git clone -q "$src" lab-clone && cd lab-clone || exit 1
./lab setup > "$D/setup.log" 2>&1
rc=$?
t1=$(date +%s)
echo "git clone + ./lab setup: exit $rc, $((t1 - t0)) s" | tee "$D/result.txt"
npm test > "$D/test.log" 2>&1
rc=$?
t2=$(date +%s)
echo "npm test: exit $rc, $((t2 - t1)) s; total $((t2 - t0)) s" | tee -a "$D/result.txt"

#!/bin/sh
# Starts the lab's Harper target in the FOREGROUND: `exec harperdb run <component>`, so this script's PID becomes
# Harper's (SIGTERM reaches Harper directly). The same script runs natively (./lab, tests) and in Docker.
#
# Every Harper setting is passed as an environment variable on every start, because Harper writes them into
# $ROOTPATH/harperdb-config.yaml and keeps them after the variable is gone (see docs/implementations/harper.md).
#
# Usage: start-harper.sh [DATA_DIR]
# Inputs (all optional except LAB_HARPER_ADMIN_USER and LAB_ADMIN_TOKEN):
#   DATA_DIR or LAB_HARPER_DATA   data dir (default <repo>/.lab/data/harper): Harper's root (hdb/) and HOME (home/)
#   HOST, PORT             public HTTP listener (default 127.0.0.1:9926)
#   LAB_HARPER_OPS_HOST    operations API host (default 127.0.0.1; kept on loopback even in a container)
#   LAB_HARPER_OPS_PORT    operations API port (default 9925)
#   LAB_CPUS               the CPU budget; Harper's worker threads (THREADS_COUNT) = its whole part, at least 1,
#                          like mono's workers (a 0.5 quota runs one thread; default 1)
#   LAB_HARPER_ADMIN_USER  Harper's super user (HDB_ADMIN_USERNAME)
#   LAB_HARPER_ADMIN_PASSWORD  its password (HDB_ADMIN_PASSWORD); when empty, a random one generated on the
#                          first start into DATA_DIR/admin-password (mode 600, never in git) and reused after
#   LAB_HARPER_RUN_AS      the user Harper runs as when this script starts as root (default lab-harper, created
#                          as a system user if missing): Harper never runs as root
#   LOG_LEVEL              Harper log level (default warn)
#   LAB_SEED, LAB_SCALE, LAB_ADMIN_TOKEN   read by the component itself (@lab/contract readLabEnv)
#   LAB_HARPER_NODE_ARGS   extra node flags, for diagnosis only (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof",
#                          which node refuses in NODE_OPTIONS)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
component=$(cd "$here/.." && pwd)
repo=$(cd "$component/../.." && pwd)

fail() {
  echo "start-harper: $*" >&2
  exit 1
}

harper_js=""
for candidate in "$component/node_modules/harperdb/bin/harperdb.js" "$repo/node_modules/harperdb/bin/harperdb.js"; do
  if [ -f "$candidate" ]; then
    harper_js=$candidate
    break
  fi
done
[ -n "$harper_js" ] || fail "harperdb is not installed (npm ci at the repo root)"
[ -f "$component/dist/src/resources.js" ] || fail "the component is not built (npx tsc -b implementations/harper)"

: "${LAB_HARPER_ADMIN_USER:?LAB_HARPER_ADMIN_USER must be set (see .env)}"
: "${LAB_ADMIN_TOKEN:?LAB_ADMIN_TOKEN must be set (see .env)}"

data=${1:-${LAB_HARPER_DATA:-$repo/.lab/data/harper}}
host=${HOST:-127.0.0.1}
port=${PORT:-9926}
ops_host=${LAB_HARPER_OPS_HOST:-127.0.0.1}
ops_port=${LAB_HARPER_OPS_PORT:-9925}
cpus=${LAB_CPUS:-1}
case "$cpus" in '' | .* | *.*.* | *[!0-9.]* | *.) fail "LAB_CPUS must be a positive number (e.g. 1 or 0.5), got '$cpus'" ;; esac
threads=$(awk -v c="$cpus" 'BEGIN { t = int(c); print (t < 1 ? 1 : t) }')
case "$cpus" in *[1-9]*) ;; *) fail "LAB_CPUS must be a positive number (e.g. 1 or 0.5), got '$cpus'" ;; esac
case "$port" in '' | *[!0-9]*) fail "PORT must be a number, got '$port'" ;; esac
case "$ops_port" in '' | *[!0-9]*) fail "LAB_HARPER_OPS_PORT must be a number, got '$ops_port'" ;; esac

mkdir -p "$data/home"
data=$(cd "$data" && pwd)
# Only Harper's user reaches its files: the generated password and the operations socket (hdb/operations-server,
# which the harperdb CLI uses with no login).
chmod 700 "$data"

# The super user's password: given, else generated once per data dir (Harper sets it at install only).
password=${LAB_HARPER_ADMIN_PASSWORD:-}
if [ -z "$password" ]; then
  if [ ! -s "$data/admin-password" ]; then
    (umask 077 && od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$data/admin-password.tmp")
    mv "$data/admin-password.tmp" "$data/admin-password"
  fi
  password=$(cat "$data/admin-password")
fi

# Natively ./lab runs as root (cgroups); Harper itself does not: it gets an unprivileged system user owning its
# data dir. setpriv execs, so the PID stays Harper's. (The Docker image already runs as the `node` user.)
drop=""
if [ "$(id -u)" = 0 ]; then
  user=${LAB_HARPER_RUN_AS:-lab-harper}
  if ! id "$user" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user" ||
      fail "cannot create the system user $user (set LAB_HARPER_RUN_AS to an existing unprivileged user)"
  fi
  chown -R "$user:" "$data"
  drop="setpriv --reuid=$user --regid=$user --init-groups --"
fi

# A local-auth bypass must never be configured: Harper reads the raw string, so even "false" turns it on.
unset AUTHENTICATION_AUTHORIZELOCAL

export TC_AGREEMENT=yes
export ROOTPATH="$data/hdb"
export HOME="$data/home"
export HDB_ADMIN_USERNAME="$LAB_HARPER_ADMIN_USER"
export HDB_ADMIN_PASSWORD="$password"
export THREADS_COUNT="$threads"
export THREADS_DEBUG=false
# Listeners: the public HTTP port and the operations API, nothing else.
export HTTP_PORT="$host:$port"
export HTTP_SECUREPORT=null
export OPERATIONSAPI_NETWORK_PORT="$ops_host:$ops_port"
export OPERATIONSAPI_NETWORK_SECUREPORT=null
# No CORS on the operations API (Harper's default answers any origin): a web page open in a local browser must
# not be able to call it, with or without the password.
export OPERATIONSAPI_NETWORK_CORS=false
export MQTT_NETWORK_PORT=null
export MQTT_NETWORK_SECUREPORT=null
export MQTT_WEBSOCKET=false
export REPLICATION_PORT=null
export REPLICATION_SECUREPORT=null
export LOCALSTUDIO_ENABLED=false
# Logging: to stdout/stderr (captured by ./lab and Docker), no per-request log, no audit log (single node,
# no replication: see docs/implementations/harper.md).
export LOGGING_LEVEL="${LOG_LEVEL:-warn}"
export LOGGING_STDSTREAMS=true
export LOGGING_FILE=false
export LOGGING_ROTATION_ENABLED=false
export LOGGING_AUDITLOG=false
# Storage: commits stay synchronous (durable, like PostgreSQL's synchronous_commit=on in mono). Write prefetching
# (touching a write's pages on a libuv thread before the write transaction, for data larger than RAM) is off: the
# whole database fits in memory and prefetching costs CPU on the budgeted core (docs: "Tuning").
export STORAGE_WRITEASYNC=false
export STORAGE_PREFETCHWRITES=false
export STORAGE_CACHING=true
export NODE_ENV="${NODE_ENV:-production}"
# Rewrites the wildcard host of Harper's internal listener to the public host (a no-op when that is 0.0.0.0).
export LAB_HARPER_BIND_HOST="$host"
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--require $here/loopback-preload.cjs"

echo "start-harper: root $ROOTPATH, http $HTTP_PORT, operations API $OPERATIONSAPI_NETWORK_PORT, threads $THREADS_COUNT, seed ${LAB_SEED:-42} scale ${LAB_SCALE:-1}"
# shellcheck disable=SC2086 # LAB_HARPER_NODE_ARGS is a list of flags
# shellcheck disable=SC2086 # $drop is a command prefix or nothing
exec $drop node ${LAB_HARPER_NODE_ARGS:-} "$harper_js" run "$component"

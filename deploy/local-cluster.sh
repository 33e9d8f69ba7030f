#!/usr/bin/env bash
# A Flink 2.3 session cluster on localhost: one JobManager and N TaskManagers, each its own
# JVM, assembled from Maven artifacts (there is no flink-dist on Maven Central).
#
#   deploy/local-cluster.sh start [--taskmanagers N]   # default 2; waits until all registered
#   deploy/local-cluster.sh add-taskmanager            # one more (e.g. to replace a killed one)
#   deploy/local-cluster.sh status                     # live processes and the web UI address
#   deploy/local-cluster.sh stop                       # ends only the processes it started
#
# Environment (all optional):
#   FLINOX_CLUSTER_DIR   where conf/, logs, PID files, checkpoints and savepoints go (deploy/.cluster)
#   FLINOX_FLINK_LIB     the assembled lib/ (deploy/.cluster/lib), shared by every cluster dir
#   FLINOX_REST_PORT     REST API and web UI (8081)
#   FLINOX_JM_RPC_PORT   JobManager RPC (6123)
#   FLINOX_BLOB_PORT     JobManager blob server (6124)
#   FLINOX_METRICS_PORT  Prometheus metrics of the JobManager (9249); taskmanager-N's on this + N
#   FLINOX_TM_SLOTS      slots per TaskManager (2)
#   FLINOX_TM_MEMORY     TaskManager process size (1280m); FLINOX_JM_MEMORY JobManager's (1024m)
#   FLINOX_HEARTBEAT_TIMEOUT_MS  how soon a dead TaskManager is noticed (10000)
#   FLINOX_START_TIMEOUT seconds to wait for the cluster to come up (120)
# Everything binds to localhost only.
set -euo pipefail

DEPLOY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLUSTER="${FLINOX_CLUSTER_DIR:-$DEPLOY/.cluster}"
LIB="${FLINOX_FLINK_LIB:-$DEPLOY/.cluster/lib}"
REST_PORT="${FLINOX_REST_PORT:-8081}"
JM_RPC_PORT="${FLINOX_JM_RPC_PORT:-6123}"
BLOB_PORT="${FLINOX_BLOB_PORT:-6124}"
METRICS_PORT="${FLINOX_METRICS_PORT:-9249}"
TM_SLOTS="${FLINOX_TM_SLOTS:-2}"
TM_MEMORY="${FLINOX_TM_MEMORY:-1280m}"
JM_MEMORY="${FLINOX_JM_MEMORY:-1024m}"
HEARTBEAT_TIMEOUT_MS="${FLINOX_HEARTBEAT_TIMEOUT_MS:-10000}"
START_TIMEOUT="${FLINOX_START_TIMEOUT:-120}"
CONF="$CLUSTER/conf"
PIDS="$CLUSTER/pids"
LOGS="$CLUSTER/log"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

source "$DEPLOY/java-opens.sh" # JAVA_OPENS: the Java 17 module openings every Flink JVM needs

die() { echo "local-cluster: $*" >&2; exit 1; }
rest() { curl -fsS --max-time 5 "http://localhost:$REST_PORT$1"; }

# lib/: the Flink runtime, connectors, log4j2 and ND4J, from deploy/cluster/pom.xml. Cached:
# rebuilt only when that pom changes. Assembled beside and renamed into place, so a
# concurrent start never sees half a lib/.
assemble_lib() {
  local pom="$DEPLOY/cluster/pom.xml" stamp
  stamp="$(sha256sum "$pom" | cut -c1-16)"
  if [[ -f "$LIB/.assembled-$stamp" ]]; then
    return
  fi
  echo "Assembling Flink's lib/ from Maven into $LIB (once) ..."
  local tmp="$LIB.tmp.$$"
  mkdir -p "$(dirname "$LIB")"
  rm -rf "$tmp"
  mvn -B -q -f "$pom" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DoutputDirectory="$tmp" -Djavacpp.platform=linux-x86_64 -Dstyle.color=never > "$tmp.log" 2>&1 \
    || { cat "$tmp.log" >&2; die "mvn could not assemble lib/"; }
  rm -f "$tmp.log"
  touch "$tmp/.assembled-$stamp"
  rm -rf "$LIB.old.$$"
  if [[ -d "$LIB" ]]; then mv "$LIB" "$LIB.old.$$"; fi
  mv "$tmp" "$LIB"
  rm -rf "$LIB.old.$$"
}

write_conf() {
  mkdir -p "$CONF" "$PIDS" "$LOGS" "$CLUSTER/checkpoints" "$CLUSTER/savepoints" "$CLUSTER/tmp" "$CLUSTER/web-upload"
  cat > "$CONF/config.yaml" <<EOF
# Written by deploy/local-cluster.sh; Flink 2.x reads only config.yaml.
jobmanager:
  rpc:
    address: localhost
    port: $JM_RPC_PORT
  bind-host: localhost
  memory:
    process:
      size: $JM_MEMORY
taskmanager:
  host: localhost
  bind-host: localhost
  numberOfTaskSlots: $TM_SLOTS
  memory:
    process:
      size: $TM_MEMORY
rest:
  address: localhost
  bind-address: localhost
  port: $REST_PORT
  # The shaded job jar is ~137 MB (ND4J's natives); the default limit is 100 MiB.
  server:
    max-content-length: 536870912
  client:
    max-content-length: 536870912
blob:
  server:
    port: $BLOB_PORT
web:
  upload:
    dir: $CLUSTER/web-upload
io:
  tmp:
    dirs: $CLUSTER/tmp
parallelism:
  default: 1
# Flink's Prometheus reporter (flink-metrics-prometheus in lib/): every process serves
# http://localhost:PORT/metrics, the JobManager on $METRICS_PORT, taskmanager-N on $METRICS_PORT + N
# (each process gets its port with -D metrics.reporter.prom.port=...).
metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
taskmanager.load-balance.mode: slots  # spread a job's slots over the TaskManagers
# Notice a killed TaskManager within seconds, not the default 50 s.
heartbeat:
  interval: 1000
  timeout: $HEARTBEAT_TIMEOUT_MS
state:
  backend:
    type: rocksdb
execution:
  checkpointing:
    incremental: true
    dir: file://$CLUSTER/checkpoints
    savepoint-dir: file://$CLUSTER/savepoints
    externalized-checkpoint-retention: RETAIN_ON_CANCELLATION
restart-strategy:
  type: fixed-delay
  fixed-delay:
    attempts: 10
    delay: 1 s
# ND4J is in lib/ and loaded parent-first: its natives load once per TaskManager JVM,
# not once per job (a second copy in a job's class loader fails with UnsatisfiedLinkError).
classloader:
  parent-first-patterns:
    additional: org.nd4j.;org.bytedeco.
EOF
  cat > "$CONF/log4j.properties" <<'EOF'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
logger.netty.name = org.apache.flink.shaded.netty4.io.netty
logger.netty.level = WARN
logger.rocksdb.name = org.rocksdb
logger.rocksdb.level = WARN
appender.main.name = MainAppender
appender.main.type = File
appender.main.fileName = ${sys:log.file}
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
EOF
  # The CLI logs to a file too; what it prints to the terminal is the CLI's own output.
  cp "$CONF/log4j.properties" "$CONF/log4j-cli.properties"
}

# Memory flags the way the distribution's scripts compute them: BashJavaUtils prints two
# BASH_JAVA_UTILS_EXEC_RESULT lines, the JVM flags and then the -D settings (TaskManagerRunner
# refuses to start without the latter).
resource_params() { # GET_TM_RESOURCE_PARAMS | GET_JM_RESOURCE_PARAMS
  local out
  out="$("$JAVA" "${JAVA_OPENS[@]}" -cp "$LIB/*" -Dlog4j2.level=WARN \
    org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$CONF" 2>&1)" \
    || die "BashJavaUtils $1 failed: $out"
  echo "$out" | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}

is_ours() { # pid name: alive and still the process we started (PIDs get reused)
  local pid="$1"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null \
    && grep -qF -- "-Dflinox.cluster.process=$CLUSTER/$2 " <<<"$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)"
}

launch() { # name main-class jvm-flags... -- args...
  local name="$1" main="$2"; shift 2
  local jvm=() args=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do jvm+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  args=("$@")
  nohup "$JAVA" "${jvm[@]}" "${JAVA_OPENS[@]}" \
    "-Dflinox.cluster.process=$CLUSTER/$name" \
    "-Dlog.file=$LOGS/$name.log" "-Dlog4j.configurationFile=file:$CONF/log4j.properties" \
    -cp "$LIB/*" "$main" --configDir "$CONF" "${args[@]}" \
    > "$LOGS/$name.out" 2>&1 < /dev/null &
  echo $! > "$PIDS/$name.pid"
}

start_jobmanager() {
  local params jvm
  params="$(resource_params GET_JM_RESOURCE_PARAMS)"
  read -r -a jvm <<< "$(echo "$params" | sed -n 1p)"
  local dyn=()
  read -r -a dyn <<< "$(echo "$params" | sed -n 2p)"
  echo "$METRICS_PORT" > "$PIDS/jobmanager.metrics-port"
  launch jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint "${jvm[@]}" \
    -- "${dyn[@]}" -D "metrics.reporter.prom.port=$METRICS_PORT"
}

start_taskmanager() {
  local n name
  n=$(( $(cat "$CLUSTER/taskmanager-count" 2>/dev/null || echo 0) + 1 ))
  echo "$n" > "$CLUSTER/taskmanager-count"
  name="taskmanager-$n"
  if [[ ! -f "$CONF/tm-jvm" ]]; then
    local params
    params="$(resource_params GET_TM_RESOURCE_PARAMS)"
    echo "$params" | sed -n 1p > "$CONF/tm-jvm"
    echo "$params" | sed -n 2p > "$CONF/tm-dynamic"
  fi
  local jvm=() dyn=() port=$(( METRICS_PORT + n ))
  port_free "$port" || die "port $port (metrics of $name, FLINOX_METRICS_PORT + $n) is taken; set FLINOX_METRICS_PORT"
  read -r -a jvm < "$CONF/tm-jvm"
  read -r -a dyn < "$CONF/tm-dynamic"
  echo "$port" > "$PIDS/$name.metrics-port"
  launch "$name" org.apache.flink.runtime.taskexecutor.TaskManagerRunner "${jvm[@]}" \
    -- "${dyn[@]}" -D "taskmanager.resource-id=$name" -D "metrics.reporter.prom.port=$port"
  echo "$name"
}

registered_taskmanagers() {
  rest /taskmanagers 2>/dev/null | grep -o '"id":"[^"]*"' | sed 's/"id":"\(.*\)"/\1/' || true
}

wait_for() { # description command...
  local what="$1"; shift
  local deadline=$(( SECONDS + START_TIMEOUT ))
  until "$@"; do
    if (( SECONDS >= deadline )); then
      die "timed out after ${START_TIMEOUT}s waiting for $what (logs: $LOGS)"
    fi
    if ! is_ours "$(cat "$PIDS/jobmanager.pid" 2>/dev/null)" jobmanager; then
      die "the JobManager exited while waiting for $what; see $LOGS/jobmanager.log and .out"
    fi
    sleep 0.5
  done
}

rest_up() { rest /overview > /dev/null 2>&1; }
all_registered() { # names...
  local live; live="$(registered_taskmanagers)"
  local n; for n in "$@"; do grep -qx "$n" <<< "$live" || return 1; done
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

cmd_start() {
  local count=2
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --taskmanagers) count="$2"; shift 2 ;;
      --taskmanagers=*) count="${1#*=}"; shift ;;
      *) die "unknown option $1 (usage: start [--taskmanagers N])" ;;
    esac
  done
  [[ "$count" =~ ^[0-9]+$ ]] || die "--taskmanagers needs a number, got $count"
  if is_ours "$(cat "$PIDS/jobmanager.pid" 2>/dev/null)" jobmanager; then
    die "already running in $CLUSTER (use stop first, or status)"
  fi
  local p; for p in "$REST_PORT" "$JM_RPC_PORT" "$BLOB_PORT" "$METRICS_PORT"; do
    port_free "$p" || die "port $p is taken; set FLINOX_REST_PORT / FLINOX_JM_RPC_PORT / FLINOX_BLOB_PORT / FLINOX_METRICS_PORT"
  done
  for (( p = 1; p <= count; p++ )); do
    port_free $(( METRICS_PORT + p )) \
      || die "port $(( METRICS_PORT + p )) (metrics of taskmanager-$p) is taken; set FLINOX_METRICS_PORT"
  done
  assemble_lib
  rm -rf "$PIDS" "$CONF"
  rm -f "$CLUSTER/taskmanager-count"
  write_conf
  start_jobmanager
  echo "jobmanager $(cat "$PIDS/jobmanager.pid") started; waiting for REST on port $REST_PORT ..."
  wait_for "the REST API on port $REST_PORT" rest_up
  local names=() i
  for (( i = 0; i < count; i++ )); do names+=("$(start_taskmanager)"); done
  wait_for "TaskManagers ${names[*]} to register" all_registered "${names[@]}"
  cmd_status
}

cmd_add_taskmanager() {
  is_ours "$(cat "$PIDS/jobmanager.pid" 2>/dev/null)" jobmanager || die "no cluster running in $CLUSTER"
  local name; name="$(start_taskmanager)"
  wait_for "$name to register" all_registered "$name"
  echo "$name $(cat "$PIDS/$name.pid") metrics http://localhost:$(cat "$PIDS/$name.metrics-port")/metrics"
}

cmd_status() {
  local f name pid any=0
  for f in "$PIDS"/jobmanager.pid $(ls "$PIDS"/taskmanager-*.pid 2>/dev/null | sort -V); do
    [[ -f "$f" ]] || continue
    name="$(basename "$f" .pid)"; pid="$(cat "$f")"
    if is_ours "$pid" "$name"; then
      echo "$name $pid metrics http://localhost:$(cat "$PIDS/$name.metrics-port" 2>/dev/null || echo '?')/metrics"
      any=1
    fi
  done
  if (( any )); then
    echo "web UI: http://localhost:$REST_PORT"
  else
    echo "not running ($CLUSTER)"
  fi
}

cmd_stop() {
  local f name pid stopped=()
  for f in "$PIDS"/*.pid; do
    [[ -f "$f" ]] || continue
    name="$(basename "$f" .pid)"; pid="$(cat "$f")"
    if is_ours "$pid" "$name"; then kill "$pid" 2>/dev/null || true; stopped+=("$pid:$name"); fi
  done
  local deadline=$(( SECONDS + 20 )) entry
  for entry in "${stopped[@]}"; do
    pid="${entry%%:*}"; name="${entry#*:}"
    while is_ours "$pid" "$name" && (( SECONDS < deadline )); do sleep 0.2; done
    if is_ours "$pid" "$name"; then kill -9 "$pid" 2>/dev/null || true; fi
    echo "stopped $name $pid"
  done
  rm -f "$PIDS"/*.pid "$PIDS"/*.metrics-port
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  add-taskmanager) cmd_add_taskmanager ;;
  status) cmd_status ;;
  stop) cmd_stop ;;
  *) echo "usage: $0 start [--taskmanagers N] | add-taskmanager | status | stop" >&2; exit 2 ;;
esac

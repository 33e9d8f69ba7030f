#!/usr/bin/env bash
# A real single-node Kafka broker (KRaft: broker and controller in one JVM) on localhost, from
# Maven Central jars, for trying Flinox's Kafka input and output and for the tests.
#
#   deploy/local-kafka.sh start                  fetch the jars once, format the log dir once, start
#   deploy/local-kafka.sh status                 "running pid N bootstrap localhost:9092" (exit 3 if not)
#   deploy/local-kafka.sh stop                   stop the broker this script started (by its PID file)
#   deploy/local-kafka.sh topic NAME PARTITIONS  create a topic (if it does not exist)
#   deploy/local-kafka.sh produce TOPIC [ARGS]   send standard input's lines as record values
#   deploy/local-kafka.sh consume TOPIC [ARGS]   print committed record values from the beginning
#
# ARGS go to Kafka's console producer / consumer as they are, e.g. produce with
# `--property parse.key=true --property key.separator=' '` to send "KEY VALUE" lines, consume with
# `--max-messages 10` or `--timeout-ms 5000` to stop, `--property print.key=true` to show keys.
#
# Environment (defaults in brackets):
#   KAFKA_PORT [9092]              the PLAINTEXT listener; the bootstrap address is localhost:KAFKA_PORT
#   KAFKA_CONTROLLER_PORT [9093]   the KRaft controller listener
#   KAFKA_STATE_DIR [deploy/.kafka/broker-KAFKA_PORT]   config, data, logs and the PID file
#   KAFKA_HEAP_OPTS [-Xms256m -Xmx512m]
#   KAFKA_START_TIMEOUT [60]       seconds to wait for the broker to come up
# The jars are cached in deploy/.kafka/lib (git-ignored); the first start fetches them with Maven.
set -euo pipefail

KAFKA_VERSION=4.1.2
LOG4J_VERSION=2.24.3
DEPLOY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="$DEPLOY/.kafka"
LIB="$CACHE/lib-$KAFKA_VERSION"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
STATE="${KAFKA_STATE_DIR:-$CACHE/broker-$PORT}"
PID_FILE="$STATE/kafka.pid"
HEAP="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
BOOTSTRAP="localhost:$PORT"

die() { echo "local-kafka: $*" >&2; exit 1; }

fetch_jars() {
  [[ -f "$LIB/.complete" ]] && return
  command -v mvn >/dev/null || die "Maven (mvn) is needed once, to fetch the Kafka jars into $LIB"
  local work; work="$(mktemp -d "$CACHE/fetch.XXXXXX")"
  cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId><artifactId>local-kafka</artifactId><version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version>
      <exclusions><exclusion><groupId>org.apache.kafka</groupId><artifactId>connect-runtime</artifactId></exclusion></exclusions></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  echo "local-kafka: fetching Kafka $KAFKA_VERSION jars from Maven Central into $LIB" >&2
  (cd "$work" && mvn -B -q -f pom.xml dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$work/lib" >"$work/mvn.log" 2>&1) || { cat "$work/mvn.log" >&2; die "fetching the jars failed"; }
  rm -rf "$LIB"
  mv "$work/lib" "$LIB" 2>/dev/null || [[ -d "$LIB" ]] # another start may have won the race
  touch "$LIB/.complete"
  rm -rf "$work"
}

# Runs a Kafka main class; its logging goes to $STATE/tools.log, never to standard output.
kafka_java() {
  local main="$1"; shift
  java $HEAP_TOOL -Dlog4j2.configurationFile="$STATE/log4j2-tools.properties" -cp "$LIB/*" "$main" "$@"
}
HEAP_TOOL="-Xmx256m -XX:TieredStopAtLevel=1"

write_config() {
  mkdir -p "$STATE/data" "$STATE/logs"
  cat >"$STATE/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:$CONTROLLER_PORT
listeners=PLAINTEXT://localhost:$PORT,CONTROLLER://localhost:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://localhost:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$STATE/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
EOF
  for which in server tools; do
    cat >"$STATE/log4j2-$which.properties" <<EOF
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
appender.file.name = file
appender.file.type = File
appender.file.fileName = $STATE/logs/$which.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
EOF
  done
}

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  # the PID is ours only while it is still a Kafka broker JVM started with our config
  grep -qF "kafka.Kafka $STATE/server.properties" <<<"$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  if pid="$(running_pid)"; then
    echo "local-kafka: already running, pid $pid, bootstrap $BOOTSTRAP"
    return
  fi
  command -v java >/dev/null || die "java is not on the PATH"
  for p in "$PORT" "$CONTROLLER_PORT"; do
    port_open "$p" && die "port $p is already in use (set KAFKA_PORT / KAFKA_CONTROLLER_PORT)"
  done
  mkdir -p "$CACHE" "$STATE"
  fetch_jars
  write_config
  if [[ ! -f "$STATE/data/meta.properties" ]]; then
    local id; id="$(kafka_java kafka.tools.StorageTool random-uuid | tail -n 1)"
    kafka_java kafka.tools.StorageTool format -t "$id" -c "$STATE/server.properties" >>"$STATE/logs/format.log" 2>&1 \
      || { cat "$STATE/logs/format.log" >&2; die "formatting $STATE/data failed"; }
  fi
  nohup java $HEAP -XX:+UseG1GC -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$STATE/log4j2-server.properties" \
      -cp "$LIB/*" kafka.Kafka "$STATE/server.properties" >"$STATE/logs/stdout.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$PID_FILE"
  local deadline=$((SECONDS + START_TIMEOUT))
  until grep -q "Kafka Server started" "$STATE/logs/server.log" 2>/dev/null && port_open "$PORT"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      tail -n 30 "$STATE/logs/stdout.log" "$STATE/logs/server.log" >&2 2>/dev/null || true
      die "the broker exited while starting (logs in $STATE/logs)"
    fi
    if ((SECONDS >= deadline)); then
      die "the broker (pid $pid) did not come up within ${START_TIMEOUT}s (logs in $STATE/logs)"
    fi
    sleep 0.2
  done
  echo "local-kafka: started, pid $pid, bootstrap $BOOTSTRAP"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    echo "local-kafka: not running"
    return
  fi
  kill "$pid"
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "local-kafka: pid $pid did not stop within 30 s, killing it" >&2
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  echo "local-kafka: stopped pid $pid"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    echo "running pid $pid bootstrap $BOOTSTRAP"
  else
    echo "not running (bootstrap would be $BOOTSTRAP)"
    exit 3
  fi
}

need_running() { running_pid >/dev/null || die "the broker at $BOOTSTRAP is not running: deploy/local-kafka.sh start"; }

topic() {
  [[ $# -ge 1 ]] || die "usage: topic NAME [PARTITIONS]"
  need_running
  kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
      --topic "$1" --partitions "${2:-1}" --replication-factor 1
}

produce() {
  [[ $# -ge 1 ]] || die "usage: produce TOPIC [console producer options]"
  need_running
  local t="$1"; shift
  kafka_java org.apache.kafka.tools.ConsoleProducer --bootstrap-server "$BOOTSTRAP" --topic "$t" "$@"
}

consume() {
  [[ $# -ge 1 ]] || die "usage: consume TOPIC [console consumer options]"
  need_running
  local t="$1"; shift
  kafka_java org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$BOOTSTRAP" --topic "$t" \
      --from-beginning --isolation-level read_committed "$@"
}

cmd="${1:-}"; shift || true
case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  topic) topic "$@" ;;
  produce) produce "$@" ;;
  consume) consume "$@" ;;
  *) sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; [[ -z "$cmd" ]] && exit 2 || die "unknown command '$cmd'" ;;
esac

#!/usr/bin/env bash
# Flink's own SQL client against the cluster of deploy/local-cluster.sh, with the Flinox jar on
# its classpath (and shipped with every job it submits), as `bin/sql-client.sh -j flinox-job.jar`
# of a Flink distribution:
#   deploy/sql-client.sh                  # the interactive shell
#   deploy/sql-client.sh -f script.sql    # runs a script, then exits (non-zero when a statement fails)
# Any other argument goes to the SQL client (-i init.sql, -D key=value, ...).
# Environment (all optional): FLINOX_CLUSTER_DIR and FLINOX_FLINK_LIB as for local-cluster.sh;
#   FLINOX_JAR  the Flinox jar (job/target/flinox-job.jar)
#   FLINOX_SQL_CLIENT_LIB  where the client's jars go (beside the cluster's lib/, as sql-client-lib)
set -euo pipefail

DEPLOY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLUSTER="${FLINOX_CLUSTER_DIR:-$DEPLOY/.cluster}"
LIB="${FLINOX_FLINK_LIB:-$DEPLOY/.cluster/lib}"
SQL_LIB="${FLINOX_SQL_CLIENT_LIB:-$(dirname "$LIB")/sql-client-lib}"
JAR="${FLINOX_JAR:-$DEPLOY/../job/target/flinox-job.jar}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
export FLINK_CONF_DIR="$CLUSTER/conf"

die() { echo "sql-client: $*" >&2; exit 1; }

[[ -f "$FLINK_CONF_DIR/config.yaml" && -d "$LIB" ]] \
  || die "no cluster configuration in $FLINK_CONF_DIR; run deploy/local-cluster.sh start first"
[[ -f "$JAR" ]] || die "no Flinox jar at $JAR; build it with: mvn -B -q package -DskipTests (or set FLINOX_JAR)"

# The client's jars (flink-sql-client, flink-sql-gateway), from deploy/sql-client/pom.xml; cached
# like the cluster's lib/ and rebuilt only when that pom changes.
assemble_client() {
  local pom="$DEPLOY/sql-client/pom.xml" stamp
  stamp="$(sha256sum "$pom" | cut -c1-16)"
  [[ -f "$SQL_LIB/.assembled-$stamp" ]] && return
  echo "Assembling Flink's SQL client from Maven into $SQL_LIB (once) ..." >&2
  local tmp="$SQL_LIB.tmp.$$"
  rm -rf "$tmp"
  mvn -B -q -f "$pom" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DexcludeTransitive=true -DoutputDirectory="$tmp" -Dstyle.color=never > "$tmp.log" 2>&1 \
    || { cat "$tmp.log" >&2; die "mvn could not assemble the SQL client"; }
  rm -f "$tmp.log"
  touch "$tmp/.assembled-$stamp"
  rm -rf "$SQL_LIB"
  mv "$tmp" "$SQL_LIB"
}
assemble_client
mkdir -p "$CLUSTER/log"

source "$DEPLOY/java-opens.sh" # JAVA_OPENS
client=("$JAVA" "${JAVA_OPENS[@]}" \
  ${FLINK_CLI_JAVA_OPTS:-} \
  "-Dlog.file=$CLUSTER/log/sql-client.log" \
  "-Dlog4j.configurationFile=file:$FLINK_CONF_DIR/log4j-cli.properties" \
  -cp "$LIB/*:$SQL_LIB/*" org.apache.flink.table.client.SqlClient --jar "$JAR" "$@")

script=false
for arg in "$@"; do
  [[ "$arg" == -f || "$arg" == --file || "$arg" == --file=* ]] && script=true
done
if ! $script; then
  exec "${client[@]}"
fi
# Flink's client stops a -f script at the first failed statement, prints [ERROR], and still
# exits 0; a script run from a pipeline has to fail, so its output is read for that line.
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
status=0
"${client[@]}" | tee "$out" || status=$?
if (( status == 0 )) && grep -q '\[ERROR\]' "$out"; then
  echo "sql-client: a statement of the script failed (its [ERROR] is above); the statements after it did not run" >&2
  status=1
fi
exit "$status"

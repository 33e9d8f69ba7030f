# Sourced by local-cluster.sh, flink and sql-client.sh: JAVA_OPENS, the Java 17 module openings of
# the Flink distribution's env.java.opts.all (Java itself does not read that key; the scripts pass
# it). Read from the list's one copy, which the pom and Launcher read too.
mapfile -t JAVA_OPENS < <(grep -oE -- '--add-(opens|exports)=[^ \\]+' \
  "$(dirname "${BASH_SOURCE[0]}")/../job/src/main/resources/flinox/java-opens.properties")
if (( ${#JAVA_OPENS[@]} == 0 )); then
  echo "java-opens.sh: no module openings found in job/src/main/resources/flinox/java-opens.properties" >&2
  return 1
fi

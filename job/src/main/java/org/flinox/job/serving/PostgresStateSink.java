package org.flinox.job.serving;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.flinox.operators.StateChange;

/**
 * {@code --state-sink jdbc:postgresql://...}: one row per key and model in a table (default
 * {@value #DEFAULT_TABLE}), through Flink's JDBC sink, at least once: its batches are flushed
 * before every checkpoint barrier completes, and each write is an idempotent upsert (or, for a
 * key whose state expired, a delete) of the key's whole state. That makes a replay converge: a
 * restore from checkpoint N re-emits, at the next checkpoint, every key changed after N with the
 * state the replay gives it, overwriting whatever a failed attempt wrote; a key's row is never
 * behind the last completed checkpoint. (Between a failure and the replay's next checkpoint, a
 * row may hold the state of the checkpoint that failed, a state the replay reaches again.)
 *
 * <p>The schema ({@link #SCHEMA}): {@code key text, model text, version text, checkpoint_id
 * bigint, updated_at timestamptz, state jsonb}, primary key {@code (model, key)}; created on the
 * first run, and a table of another shape is refused at start.
 */
public final class PostgresStateSink {
    public static final String DEFAULT_TABLE = "flinox_state";
    /** The columns and their PostgreSQL type names, in order. */
    static final Map<String, String> SCHEMA = columns();

    private PostgresStateSink() {}

    private static Map<String, String> columns() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("key", "text");
        c.put("model", "text");
        c.put("version", "text");
        c.put("checkpoint_id", "int8");
        c.put("updated_at", "timestamptz");
        c.put("state", "jsonb");
        return java.util.Collections.unmodifiableMap(c);
    }

    static String createTable(String table) {
        return "CREATE TABLE IF NOT EXISTS " + table + " (key text NOT NULL, model text NOT NULL, version text, "
                + "checkpoint_id bigint, updated_at timestamptz NOT NULL, state jsonb NOT NULL, PRIMARY KEY (model, key))";
    }

    /**
     * One statement for both kinds of change, since the sink takes one: the delete acts only for a
     * tombstone (parameter 1), the upsert only otherwise (parameter 9).
     */
    static String upsertOrDelete(String table) {
        return "WITH gone AS (DELETE FROM " + table + " WHERE ? AND model = ? AND key = ?) "
                + "INSERT INTO " + table + " (key, model, version, checkpoint_id, updated_at, state) "
                + "SELECT ?, ?, ?, ?, now(), CAST(? AS jsonb) WHERE NOT ? "
                + "ON CONFLICT (model, key) DO UPDATE SET version = EXCLUDED.version, "
                + "checkpoint_id = EXCLUDED.checkpoint_id, updated_at = EXCLUDED.updated_at, state = EXCLUDED.state";
    }

    public static JdbcSink<StateChange> sink(String url, String table) {
        return JdbcSink.<StateChange>builder()
                .withQueryStatement(upsertOrDelete(table), (ps, c) -> {
                    ps.setBoolean(1, c.isTombstone());
                    ps.setString(2, c.model());
                    ps.setString(3, c.key());
                    ps.setString(4, c.key());
                    ps.setString(5, c.model());
                    ps.setString(6, c.version()); // null without --model-updates
                    if (c.checkpointId() == StateChange.END_OF_INPUT) {
                        ps.setNull(7, Types.BIGINT);
                    } else {
                        ps.setLong(7, c.checkpointId());
                    }
                    ps.setString(8, StateJson.state(c));
                    ps.setBoolean(9, c.isTombstone());
                })
                .withExecutionOptions(JdbcExecutionOptions.builder().withBatchSize(5000).withBatchIntervalMs(0)
                        .withMaxRetries(3).build())
                .buildAtLeastOnce(new JdbcConnectionOptions.JdbcConnectionOptionsBuilder().withUrl(url)
                        .withDriverName("org.postgresql.Driver").build());
    }

    /**
     * Checks the flags, connects, creates the table if it is missing, and refuses, with one line,
     * a table whose columns or primary key are not {@link #SCHEMA}'s.
     */
    public static void requireTable(String url, String table) {
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("--state-sink " + url + " is not a PostgreSQL JDBC URL: expected "
                    + "jdbc:postgresql://HOST:PORT/DATABASE?user=...");
        }
        if (!table.matches("([a-z_][a-z0-9_]*\\.)?[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("--state-sink-table " + table + ": give a lower-case name, optionally "
                    + "schema-qualified (letters, digits and '_')");
        }
        try (Connection c = DriverManager.getConnection(url)) {
            try (Statement s = c.createStatement()) {
                s.execute(createTable(table));
            }
            String schema = table.contains(".") ? table.substring(0, table.indexOf('.')) : c.getSchema();
            String name = table.substring(table.indexOf('.') + 1);
            DatabaseMetaData meta = c.getMetaData();
            Map<String, String> found = new LinkedHashMap<>();
            try (ResultSet r = meta.getColumns(null, schema, name, null)) {
                while (r.next()) {
                    found.put(r.getString("COLUMN_NAME"), r.getString("TYPE_NAME"));
                }
            }
            List<String> key = new ArrayList<>();
            try (ResultSet r = meta.getPrimaryKeys(null, schema, name)) {
                while (r.next()) {
                    key.add(r.getString("COLUMN_NAME"));
                }
            }
            if (!found.equals(SCHEMA) || !new java.util.HashSet<>(key).equals(java.util.Set.of("model", "key"))) {
                throw new IllegalArgumentException("--state-sink-table " + table + " exists with columns " + found
                        + " and primary key " + key + "; it must have " + SCHEMA + " and primary key (model, key): "
                        + "give another --state-sink-table, or drop that table");
            }
        } catch (SQLException e) {
            throw new IllegalArgumentException("--state-sink: cannot prepare table " + table + " (" + e.getMessage()
                    .lines().findFirst().orElse("") + ")", e);
        }
    }
}

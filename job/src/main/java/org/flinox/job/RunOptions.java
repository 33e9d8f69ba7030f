package org.flinox.job;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.TimeUtils;
import org.flinox.job.state.StateBackendOption;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The flags of {@code run}, as the README's flag table documents them. */
final class RunOptions {

    @Option(names = "--input", paramLabel = "PATH",
            description = "A file or a directory (subdirectories and symbolic links followed) of CSV (with header) or "
                    + "JSON-lines records, or a Kafka topic kafka://HOST:PORT/TOPIC. Files are read in arrival order: by "
                    + "modification time, then path (cp -p and an untar keep the old times, and so the order). Without "
                    + "it, a demo runs.")
    String input;

    @Option(names = "--format", paramLabel = "csv|jsonl",
            description = "The input format; default: from the extension of the first file read (the oldest).")
    String format;

    @Option(names = "--key", paramLabel = "FIELD", description = "The stream key field; default: one global key.")
    String key;

    @Option(names = "--features", paramLabel = "A,B,C", split = ",",
            description = "The numeric input fields, in order; default: every numeric field but the key, from the "
                    + "first 20 records of the first file read: a field whose first value that is not empty (nor NA, "
                    + "N/A, null, None) is a number.")
    List<String> features;

    @Option(names = "--model", paramLabel = "SPEC.json",
            description = "The module tree; default: {\"type\": \"standardize\"} over the features.")
    Path model;

    @Option(names = "--weights", paramLabel = "FILE.npz", description = "Parameters by path (.l1.weight, ...).")
    Path weights;

    @Option(names = "--model-updates", paramLabel = "DIR|kafka://HOST:PORT/TOPIC",
            description = "New weights without a restart: each VERSION.npz moved into DIR (or each record of the topic: "
                    + "key the version, value the .npz bytes) replaces the parameters between two records (every key's "
                    + "state is kept) and every output then carries model_version; a bad update is a dead letter and "
                    + "the running version stays. Needs an unbounded run (--watch, or a kafka:// input without "
                    + "--bounded); DIR is listed every --watch-interval.")
    String modelUpdates;

    @Option(names = "--module-jar", paramLabel = "JAR",
            description = "A jar of your own module types, found through ServiceLoader (under flink run: -C "
                    + "file:///.../JAR). Repeatable.")
    List<Path> moduleJars;

    @Option(names = "--output", paramLabel = "DIR",
            description = "Where JSON-lines outputs go, committed on checkpoints (exactly once): a directory, or a "
                    + "Kafka topic kafka://HOST:PORT/TOPIC (transactional, keyed by the stream key); "
                    + "default: standard output.")
    String output;

    @Option(names = "--dead-letter", paramLabel = "DIR",
            description = "Where rejected records go with their reason, a directory or kafka://HOST:PORT/TOPIC; "
                    + "default: DIR-dead-letters beside --output (TOPIC-dead-letters for Kafka), or standard error.")
    String deadLetter;

    @Option(names = "--watch", description = "Keep watching the --input directory for new files (unbounded). A file "
            + "is read once: one that changes after it was listed (replaced, appended to) is a FILE_CHANGED dead letter, "
            + "its new rows are not read; move complete files in, new data under new names.")
    boolean watch;

    @Option(names = "--watch-interval", paramLabel = "DURATION", defaultValue = "1s",
            converter = DurationConverter.class, description = "How often --watch lists the directory (default: ${DEFAULT-VALUE}).")
    Duration watchInterval;

    @Option(names = "--parallelism", paramLabel = "N", description = "Parallelism of the model operator; default: Flink's.")
    Integer parallelism;

    @Option(names = "--max-parallelism", paramLabel = "N", defaultValue = "128",
            description = "Key groups; fixed for the life of the state, the ceiling for rescaling (default: ${DEFAULT-VALUE}).")
    int maxParallelism;

    @Option(names = "--checkpoint-dir", paramLabel = "URI",
            description = "Where checkpoints go; default: the cluster's execution.checkpointing.dir, or a temporary "
                    + "directory when run stand-alone.")
    String checkpointDir;

    @Option(names = "--checkpoint-interval", paramLabel = "DURATION", defaultValue = "10s",
            converter = DurationConverter.class,
            description = "Time between checkpoints, e.g. 500ms, 10s, 1min; a bare number is milliseconds "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--state-backend", paramLabel = "rocksdb|hashmap", defaultValue = "rocksdb",
            description = "Where keyed state lives (default: ${DEFAULT-VALUE}).")
    String stateBackend;

    @Option(names = "--savepoint-dir", paramLabel = "URI",
            description = "Where savepoints go: a stand-alone --watch run stops with a savepoint there on Ctrl-C or "
                    + "SIGTERM (otherwise it is cancelled, keeping its checkpoints); on a cluster, the default of "
                    + "`flink stop` and `flink savepoint`.")
    String savepointDir;

    @Option(names = "--restore", paramLabel = "PATH", description = "Resume from this savepoint or retained checkpoint.")
    String restore;

    @Option(names = "--state-ttl", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Drop a key's state after this long without an update (e.g. 7d, 12h); default: never.")
    Duration stateTtl;

    @Option(names = "--reset-state", paramLabel = "MODULE",
            description = "With --restore, start every state entry of this module over for every key: a module path "
                    + "(.layers[0]; . for the root); needed when its state's shape or dtype changed with the model. A "
                    + "module's entries start over together (naming some of them is refused). Repeatable.")
    List<String> resetState = new java.util.ArrayList<>();

    @Option(names = "--bundle-size", paramLabel = "N", defaultValue = "0",
            description = "Key bundles: buffer up to N records per subtask, then read and write each key's state once "
                    + "for all its records (flushed before every checkpoint); 0: off (default: ${DEFAULT-VALUE}).")
    int bundleSize;

    @Option(names = "--bundle-latency", paramLabel = "DURATION", defaultValue = "100ms", converter = DurationConverter.class,
            description = "The longest a record waits in a key bundle (default: ${DEFAULT-VALUE}).")
    Duration bundleLatency;

    @Option(names = "--bundle-forward", paramLabel = "auto|per-record|batched", defaultValue = "auto",
            converter = BundleForwardConverter.class,
            description = "How a key bundle runs the model: per record, batched over its keys through ND4J, or auto: "
                    + "batched where it was measured to pay (about 65k parameters and 256 keys up) (default: ${DEFAULT-VALUE}).")
    org.flinox.operators.KeyBundles.Forward bundleForward;

    @Option(names = "--state-cache", paramLabel = "SIZE", converter = MemorySizeConverter.class,
            description = "Keep hot keys' state in memory per subtask, up to SIZE (e.g. 64mb), written back before "
                    + "every checkpoint; 0: off (default: " + DEFAULT_STATE_CACHE + ", off with --state-ttl).")
    Long stateCache;

    /** The default --state-cache (chosen by the B1 and B1-skew measurements, BENCHMARKS.md). */
    static final String DEFAULT_STATE_CACHE = "64mb";

    @Option(names = "--state-changelog", paramLabel = "kafka://HOST:PORT/TOPIC",
            description = "Live state for serving: at every checkpoint, each key whose state changed goes to this "
                    + "compacted topic, exactly once (key: the stream key; value: JSON {model, checkpoint_id, state}, "
                    + "every entry as `inspect` prints it; a tombstone when it expired). Created compacted if missing.")
    String stateChangelog;

    @Option(names = "--state-sink", paramLabel = "jdbc:postgresql://...",
            description = "Live state for serving: at every checkpoint, upsert each changed key's state into a "
                    + "PostgreSQL table (see --state-sink-table), one row per model and key; created if missing.")
    String stateSink;

    @Option(names = "--state-sink-table", paramLabel = "NAME",
            description = "The --state-sink table (default: flinox_state).")
    String stateSinkTable;

    @Option(names = "--final-state", paramLabel = "DIR",
            description = "When the (bounded) input ends, write every key's state as JSON lines "
                    + "(key, stateKey, shape, dtype, values) to DIR, the format `bootstrap` reads (with "
                    + "--final-savepoint: read from that savepoint).")
    String finalState;

    @Option(names = "--final-savepoint", paramLabel = "DIR",
            description = "Once the (bounded) input is read, stop the job with a savepoint in DIR: every key's state, "
                    + "the sinks' and the input's positions. --restore DIR with the same --input and --output reads "
                    + "nothing again (only files or records that are new); with another --input, that input is read "
                    + "from its start, every key's statistics carried on. Needs an attached run.")
    String finalSavepoint;

    @Option(names = "--report", paramLabel = "FILE.html",
            description = "When the (bounded) run ends, write its report there: one HTML page with its throughput, dead "
                    + "letters and per-key plots, as `report` draws it (needs a local --output directory).")
    Path report;

    @Option(names = "--overwrite",
            description = "Write into --output, --dead-letter, --final-state and --final-savepoint even when they "
                    + "are not empty, deleting what they hold first. Without it, a non-empty one is refused (unless "
                    + "--restore resumes --output and --dead-letter).")
    boolean overwrite;

    @Option(names = "--progress-interval", paramLabel = "DURATION", defaultValue = "10s",
            converter = DurationConverter.class,
            description = "How often an unbounded run prints a progress line (records in, outputs, dead letters) "
                    + "on standard error; 0 for never (default: ${DEFAULT-VALUE}).")
    Duration progressInterval;

    @Option(names = "--verbose",
            description = "Log every checkpoint, each model subtask's throughput, and Flink's warnings about checkpoints that met finishing tasks (quiet by default).")
    boolean verbose;
    // ---------------------------------------------------------------- Kafka

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A Kafka client setting for the consumer and the producers (repeatable), e.g. "
                    + "security.protocol=SSL or transaction.timeout.ms=120000.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--group-id", paramLabel = "ID",
            description = "The Kafka consumer group of a kafka:// input; offsets are committed to it on checkpoints "
                    + "(default: flinox-MODEL, MODEL the model's name).")
    String groupId;

    @Option(names = "--starting-offsets", paramLabel = "earliest|latest|committed", defaultValue = "earliest",
            description = "Where a kafka:// input starts without a checkpoint or savepoint to restore "
                    + "(committed: the group's offsets, else the beginning) (default: ${DEFAULT-VALUE}).")
    String startingOffsets;

    @Option(names = "--csv-header", paramLabel = "A,B,C",
            description = "The CSV header of a kafka:// input's values; implies --format csv.")
    String csvHeader;

    @Option(names = "--transactional-id-prefix", paramLabel = "PREFIX",
            description = "Prefix of the transactional ids of kafka:// outputs (PREFIX-output, PREFIX-dead-letters, "
                    + "PREFIX-state-changelog); "
                    + "unique per job on a Kafka cluster (default: flinox-MODEL).")
    String transactionalIdPrefix;

    @Option(names = "--bounded",
            description = "Stop a kafka:// input at the offsets that are the latest when the job starts.")
    boolean bounded;

    /** {@code auto}, {@code per-record} or {@code batched}. */
    static final class BundleForwardConverter implements ITypeConverter<org.flinox.operators.KeyBundles.Forward> {
        @Override
        public org.flinox.operators.KeyBundles.Forward convert(String value) {
            return org.flinox.operators.KeyBundles.Forward.valueOf(
                    value.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        }
    }

    /** Memory sizes as Flink spells them: 64mb, 512kb, 1gb; a bare number is bytes. */
    static final class MemorySizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return org.apache.flink.configuration.MemorySize.parse(value).getBytes();
            } catch (RuntimeException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a memory size "
                        + "(e.g. 64mb, 512kb, 1gb, or 0 for off)");
            }
        }
    }

    /** The state cache's bound in bytes: the default unless given, and none under --state-ttl (checked in validate). */
    long stateCacheBytes() {
        if (stateCache != null) {
            return stateCache;
        }
        return stateTtl != null ? 0 : org.apache.flink.configuration.MemorySize.parse(DEFAULT_STATE_CACHE).getBytes();
    }

    /** The longest --state-ttl taken: a century (longer means "never", which is no --state-ttl at all). */
    static final Duration MAX_STATE_TTL = Duration.ofDays(36_500);

    /**
     * Refuses values no run can use, before anything else is looked at.
     *
     * @throws IllegalArgumentException naming the flag, the value and what it takes
     */
    void validate() {
        if (parallelism != null && parallelism < 1) {
            throw new IllegalArgumentException("--parallelism must be at least 1, got " + parallelism);
        }
        if (maxParallelism < 1 || maxParallelism > 32768) {
            throw new IllegalArgumentException("--max-parallelism must be between 1 and 32768, got " + maxParallelism);
        }
        if (parallelism != null && parallelism > maxParallelism) {
            throw new IllegalArgumentException("--parallelism " + parallelism + " is above --max-parallelism "
                    + maxParallelism + " (the number of key groups)");
        }
        if (features != null && (features.isEmpty() || features.stream().anyMatch(String::isBlank))) {
            throw new IllegalArgumentException("--features \"" + String.join(",", features) + "\" names an empty field: "
                    + "give the numeric fields as A,B,C, or leave --features out to use every numeric field but the key");
        }
        if (key != null && key.isBlank()) {
            throw new IllegalArgumentException("--key is empty: give the key field's name, or leave --key out for one "
                    + "global key");
        }
        if (checkpointInterval.toMillis() < 10) {
            throw new IllegalArgumentException("--checkpoint-interval must be at least 10ms, got " + TimeUtils.formatWithHighestUnit(checkpointInterval));
        }
        if (watchInterval.isZero() || watchInterval.isNegative()) {
            throw new IllegalArgumentException("--watch-interval must be positive, got " + TimeUtils.formatWithHighestUnit(watchInterval));
        }
        StateBackendOption.name(stateBackend);
        if (progressInterval.isNegative()) {
            throw new IllegalArgumentException("--progress-interval must not be negative, got " + TimeUtils.formatWithHighestUnit(progressInterval));
        }
        if (stateTtl != null && (stateTtl.toMillis() < 1 || stateTtl.compareTo(MAX_STATE_TTL) > 0)) {
            throw new IllegalArgumentException("--state-ttl must be between 1ms and " + MAX_STATE_TTL.toDays()
                    + "d, got " + TimeUtils.formatWithHighestUnit(stateTtl) + (stateTtl.toMillis() < 1 ? "" : "; to keep state forever, leave --state-ttl out"));
        }
        validateStateCache();
        if (bundleSize < 0) {
            throw new IllegalArgumentException("--bundle-size must be 0 (off) or positive, got " + bundleSize);
        }
        if (bundleSize > 0 && (bundleLatency.isZero() || bundleLatency.isNegative())) {
            throw new IllegalArgumentException("--bundle-latency must be positive, got "
                    + TimeUtils.formatWithHighestUnit(bundleLatency));
        }
        validateReport();
    }

    /** --report: a bounded run whose outputs are in a local directory the report can read. */
    private void validateReport() {
        if (report == null) {
            return;
        }
        boolean kafkaInput = input != null && input.startsWith("kafka://");
        if (watch || (kafkaInput && !bounded)) {
            throw new IllegalArgumentException("--report needs a bounded run: a --watch (or unbounded Kafka) run never ends; "
                    + "draw a report of what it wrote so far with `report --output DIR`");
        }
        Path dir = output == null || output.startsWith("kafka://") ? null : OutputLocations.localPath(output);
        if (dir == null) {
            throw new IllegalArgumentException("--report needs --output to be a local directory (the report reads the "
                    + "outputs from there), got " + (output == null ? "standard output" : output));
        }
        org.flinox.job.report.ReportCommand.checkPage(report, dir, overwrite, "--report");
    }

    private void validateStateCache() {
        if (stateCache != null && stateCache > 0 && stateTtl != null) {
            throw new IllegalArgumentException("--state-cache cannot be used with --state-ttl: a cached state would "
                    + "not see its expiry; leave --state-cache out (it is off under --state-ttl) or give --state-cache 0");
        }
    }

    /** Durations as Flink spells them: 500ms, 10s, 5min, 12h, 7d; a bare number is milliseconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return TimeUtils.parseDuration(value);
            } catch (RuntimeException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a duration "
                        + "(e.g. 500ms, 10s, 5min, 12h, 7d; a bare number is milliseconds)");
            }
        }
    }
}

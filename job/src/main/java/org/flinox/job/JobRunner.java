package org.flinox.job;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.flinox.operators.KeyBundles;
import org.flinox.operators.OperatorIds;

/** Resolves {@code run}'s flags into {@link JobSettings} and runs the job. */
public final class JobRunner {

    private JobRunner() {}

    /** True under {@code java -jar} (an embedded local Flink), false under {@code flink run}. */
    static boolean embedded() {
        return StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment;
    }

    static JobSettings resolve(RunOptions o) {
        boolean kafkaInput = KafkaAddress.isKafka(o.input);
        InputFormat format;
        List<String> features;
        if (kafkaInput) {
            KafkaAddress.parse(o.input);
            format = kafkaFormat(o);
            features = o.features != null && !o.features.isEmpty() ? List.copyOf(o.features) : List.of();
            if (features.isEmpty()) {
                throw new IllegalArgumentException("--input " + o.input + " is a Kafka topic, so the features cannot be "
                        + "inferred from a file: pass --features A,B,C");
            }
        } else {
            if (o.csvHeader != null) {
                throw new IllegalArgumentException("--csv-header is for a kafka:// input; a CSV file's header is its "
                        + "first line");
            }
            List<Path> files = inputFiles(o);
            format = o.format != null ? InputFormat.fromName(o.format) : formatOf(files);
            FeatureInference.requireDistinctCsvColumns(files, format);
            features = o.features != null && !o.features.isEmpty() ? List.copyOf(o.features)
                    : inferFeatures(o, files, format);
        }
        SpecModelFactory model = SpecModelFactory.of(o.model, features.size(), o.weights);
        if (o.restore != null) {
            RestoreCheck.requireOperatorState(o.restore, OperatorIds.model(model.name()), o.maxParallelism);
        }
        String deadLetters = o.deadLetter != null ? o.deadLetter
                : o.output != null ? JobSettings.deadLettersBeside(o.output) : null;
        KafkaSettings kafka = kafkaSettings(o, model.name(), deadLetters);
        return new JobSettings(o.input, format, o.key, features, model, o.output, deadLetters,
                o.watch ? o.watchInterval : null, o.parallelism, o.maxParallelism, flinkConfig(o), o.stateTtl,
                java.util.Set.copyOf(o.resetState), finalState(o), o.savepointDir, o.finalSavepoint, kafka,
                KeyBundles.of(o.bundleSize, o.bundleLatency, o.bundleForward));
    }

    private static String finalState(RunOptions o) {
        if (o.finalSavepoint != null && o.watch) {
            throw new IllegalArgumentException("--final-savepoint needs a bounded input: a --watch run never ends; "
                    + "stop it with a savepoint instead (--savepoint-dir, or `flink stop`)");
        }
        if (o.finalState != null || o.finalSavepoint == null) {
            return o.finalState;
        }
        String dir = o.finalSavepoint.endsWith("/") ? o.finalSavepoint.substring(0, o.finalSavepoint.length() - 1)
                : o.finalSavepoint;
        return dir + "-state";
    }

    /** JSON values unless --format csv or --csv-header says CSV; CSV values need --csv-header. */
    private static InputFormat kafkaFormat(RunOptions o) {
        if (o.watch) {
            throw new IllegalArgumentException("--watch is for a directory; a kafka:// input is unbounded already "
                    + "(--bounded stops it at the offsets that are the latest at the start)");
        }
        InputFormat format = o.format != null ? InputFormat.fromName(o.format)
                : o.csvHeader != null ? InputFormat.CSV : InputFormat.JSONL;
        if (format == InputFormat.CSV && (o.csvHeader == null || o.csvHeader.isBlank())) {
            throw new IllegalArgumentException("CSV values of --input " + o.input + " need their header: pass "
                    + "--csv-header A,B,C");
        }
        if (format == InputFormat.JSONL && o.csvHeader != null) {
            throw new IllegalArgumentException("--csv-header is for CSV values, but --format is " + o.format);
        }
        return format;
    }

    /** The Kafka settings when the input or an output is a Kafka topic, else null. */
    private static KafkaSettings kafkaSettings(RunOptions o, String modelName, String deadLetters) {
        boolean any = KafkaAddress.isKafka(o.input) || KafkaAddress.isKafka(o.output) || KafkaAddress.isKafka(deadLetters);
        if (!any) {
            return null;
        }
        for (String location : new String[] {o.output, deadLetters}) {
            if (KafkaAddress.isKafka(location)) {
                KafkaAddress.parse(location); // fail before anything starts
            }
        }
        String name = KafkaSettings.defaultName(modelName);
        return new KafkaSettings(o.kafkaProperties, o.groupId != null ? o.groupId : name,
                KafkaSettings.StartingOffsets.fromName(o.startingOffsets), o.csvHeader,
                o.transactionalIdPrefix != null ? o.transactionalIdPrefix : name, o.bounded);
    }

    /** The input's files now (a local path); empty for a remote file system or an empty directory. */
    private static List<Path> inputFiles(RunOptions o) {
        if (o.input.contains("://") && !o.input.startsWith("file:")) {
            return List.of();
        }
        Path input = o.input.startsWith("file:") ? Path.of(java.net.URI.create(o.input)) : Path.of(o.input);
        if (!Files.exists(input)) {
            throw new IllegalArgumentException("--input " + o.input + " does not exist");
        }
        return FeatureInference.inputFiles(input);
    }

    /** One format per run: the first file's, by extension. */
    private static InputFormat formatOf(List<Path> files) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("--input has no files to tell the format from: pass --format csv|jsonl");
        }
        return InputFormat.fromPath(files.get(0).toString());
    }

    private static List<String> inferFeatures(RunOptions o, List<Path> files, InputFormat format) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("--input " + o.input + " has no files yet, so the features cannot be "
                    + "inferred: pass --features A,B,C");
        }
        return FeatureInference.defaultFeatures(files.get(0), format, o.key);
    }

    /** The Flink configuration of the flags, by documented keys. */
    static Map<String, String> flinkConfig(RunOptions o) {
        Map<String, String> c = new LinkedHashMap<>();
        String backend = o.stateBackend.toLowerCase(Locale.ROOT);
        if (!backend.equals("rocksdb") && !backend.equals("hashmap")) {
            throw new IllegalArgumentException("--state-backend must be rocksdb or hashmap, got " + o.stateBackend);
        }
        c.put("state.backend.type", backend);
        c.put("execution.checkpointing.incremental", Boolean.toString(backend.equals("rocksdb")));
        if (backend.equals("rocksdb")) {
            // Without partitioned index blocks, RocksDB re-reads and decompresses a whole SST
            // index block on most gets once state outgrows the block cache: 6x slower at 1M
            // keys in BENCHMARKS.md (B1).
            c.put("state.backend.rocksdb.memory.partitioned-index-filters", "true");
        }
        c.put("execution.checkpointing.interval", o.checkpointInterval + " ms");
        c.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        String checkpointDir = o.checkpointDir != null ? o.checkpointDir
                : embedded() ? JobSettings.temporaryCheckpointDir() : null;
        if (checkpointDir != null) {
            c.put("execution.checkpointing.dir", checkpointDir);
        }
        c.put("pipeline.generic-types", "false"); // state and records never fall back to Kryo
        c.put("pipeline.max-parallelism", Integer.toString(o.maxParallelism));
        c.put("restart-strategy.type", "fixed-delay");
        c.put("restart-strategy.fixed-delay.attempts", "10");
        c.put("restart-strategy.fixed-delay.delay", "1 s");
        if (o.savepointDir != null) {
            c.put("execution.checkpointing.savepoint-dir", o.savepointDir);
        }
        if (o.restore != null) {
            c.put("execution.state-recovery.path", o.restore);
            // the source of another input has state here nobody claims: it is let go, and the
            // new input is read from its start (the model's state is checked to be there)
            c.put("execution.state-recovery.ignore-unclaimed-state", "true");
        }
        return c;
    }

    /** The settings of {@code run}'s flags, resolved as the CLI resolves them. */
    public static JobSettings settings(String... runFlags) {
        RunOptions options = new RunOptions();
        new picocli.CommandLine(options).parseArgs(runFlags);
        if (options.input == null) {
            throw new IllegalArgumentException("--input is required");
        }
        return resolve(options);
    }

    /** A Flink environment configured by the settings' Flink configuration. */
    public static StreamExecutionEnvironment environment(JobSettings s) {
        return StreamExecutionEnvironment.getExecutionEnvironment(Configuration.fromMap(s.flink()));
    }

    /** The job's name as Flink shows it. */
    public static String jobName(JobSettings s) {
        return "flinox " + s.model().name();
    }

    static JobExecutionResult run(JobSettings s) throws Exception {
        StreamExecutionEnvironment env = environment(s);
        JobPipeline.build(env, s);
        if (s.watch() == null || !embedded()) {
            JobExecutionResult result = env.execute(jobName(s));
            if (s.finalSavepoint() != null) {
                var written = BootstrapCommand.write(s.model(), s.finalState(), s.finalSavepoint(), s.maxParallelism(),
                        s.flink().get("state.backend.type"));
                System.err.printf("flinox: final state of %d keys saved as a savepoint in %s; "
                        + "continue with --restore %s%n", written.keys(), s.finalSavepoint(), s.finalSavepoint());
            }
            return result;
        }
        // A stand-alone run that never ends on its own: Ctrl-C or SIGTERM stops it cleanly.
        JobClient client = env.executeAsync(jobName(s));
        Thread stop = new Thread(() -> stopOnShutdown(client, s));
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            return client.getJobExecutionResult().get();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
    }

    private static void stopOnShutdown(JobClient client, JobSettings s) {
        try {
            if (s.savepointDir() != null) {
                String path = client.stopWithSavepoint(false, s.savepointDir(), SavepointFormatType.CANONICAL)
                        .get(2, TimeUnit.MINUTES);
                System.err.println("flinox: stopped with a savepoint; resume with --restore " + path);
            } else {
                client.cancel().get(1, TimeUnit.MINUTES);
                System.err.println("flinox: cancelled; the last checkpoint is retained under "
                        + s.flink().get("execution.checkpointing.dir") + " (resume with --restore .../chk-N)");
            }
        } catch (Exception e) {
            System.err.println("flinox: could not stop the job cleanly: " + e.getMessage());
        }
    }
}

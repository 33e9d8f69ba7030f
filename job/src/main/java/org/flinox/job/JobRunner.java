package org.flinox.job;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Resolves {@code run}'s flags into {@link JobSettings} and runs the job. */
final class JobRunner {

    private JobRunner() {}

    /** True under {@code java -jar} (an embedded local Flink), false under {@code flink run}. */
    static boolean embedded() {
        return StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment;
    }

    static JobSettings resolve(RunOptions o) {
        List<Path> files = inputFiles(o);
        InputFormat format = o.format != null ? InputFormat.fromName(o.format) : formatOf(files);
        List<String> features = o.features != null && !o.features.isEmpty() ? List.copyOf(o.features)
                : inferFeatures(o, files, format);
        SpecModelFactory model = SpecModelFactory.of(o.model, features.size(), o.weights);
        String deadLetters = o.deadLetter != null ? o.deadLetter
                : o.output != null ? JobSettings.deadLettersBeside(o.output) : null;
        return new JobSettings(o.input, format, o.key, features, model, o.output, deadLetters,
                o.watch ? o.watchInterval : null, o.parallelism, o.maxParallelism, flinkConfig(o), o.stateTtl);
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
        if (o.restore != null) {
            c.put("execution.state-recovery.path", o.restore);
        }
        return c;
    }

    static JobExecutionResult run(JobSettings s) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(Configuration.fromMap(s.flink()));
        JobPipeline.build(env, s);
        return env.execute("flinox " + s.model().name());
    }
}

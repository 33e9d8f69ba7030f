package org.flinox.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.DetachedJobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.flinox.job.input.FeatureInference;
import org.flinox.job.input.InputFieldsCheck;
import org.flinox.job.input.InputFiles;
import org.flinox.job.input.InputFormat;
import org.flinox.job.input.InputSample;
import org.flinox.job.kafka.KafkaAddress;
import org.flinox.job.kafka.KafkaSettings;
import org.flinox.job.report.RunLog;
import org.flinox.job.spec.SpecModelFactory;
import org.flinox.job.state.StateBackendOption;
import org.flinox.operators.KeyBundles;
import org.flinox.job.OutputLocations.Location;
import org.flinox.job.OutputLocations.Use;
import org.flinox.operators.OperatorIds;

/** Resolves {@code run}'s flags into {@link JobSettings} and runs the job. */
public final class JobRunner {

    private JobRunner() {}

    /** True under {@code java -jar} (an embedded local Flink), false under {@code flink run}. */
    static boolean embedded() {
        return StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment;
    }

    static JobSettings resolve(RunOptions o) {
        o.validate();
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
            InputFieldsCheck.requireDistinctFeatures(o.key, features);
            if (format == InputFormat.CSV) {
                InputFieldsCheck.checkHeader("--csv-header", List.of(o.csvHeader.split(",", -1)), o.key, features);
            }
        } else {
            if (o.csvHeader != null) {
                throw new IllegalArgumentException("--csv-header is for a kafka:// input; a CSV file's header is its "
                        + "first line");
            }
            InputFieldsCheck.requireDistinctFeatures(o.key, o.features);
            List<FileSourceSplit> files = inputFiles(o);
            format = o.format != null ? InputFormat.fromName(o.format) : formatOf(files);
            List<InputSample> samples = InputSample.of(files, format, localInput(o).toString());
            InputFieldsCheck.check(samples, o.key, o.features);
            features = o.features != null ? List.copyOf(o.features) : inferFeatures(o, files, samples);
        }
        if (o.restore != null) {
            requireRestorable(o.restore);
        }
        SpecModelFactory model = SpecModelFactory.of(o.model, features.size(), o.weights);
        if (o.restore != null) {
            RestoreCheck.requireOperatorState(o.restore, OperatorIds.model(model.name()), o.maxParallelism);
        }
        java.util.Set<String> resetState = resetState(o, model);
        String deadLetters = o.deadLetter != null ? o.deadLetter
                : o.output != null ? JobSettings.deadLettersBeside(o.output) : null;
        String finalState = finalState(o);
        KafkaSettings kafka = kafkaSettings(o, model.name(), deadLetters);
        ServingSinks serving = ServingSinks.resolve(o.stateChangelog, o.stateSink, o.stateSinkTable, o.kafkaProperties);
        if (embedded()) {
            requireKnownFileSystem("--checkpoint-dir", o.checkpointDir);
            requireKnownFileSystem("--savepoint-dir", o.savepointDir);
        }
        OutputLocations.check(List.of(
                // before --input: a Kafka output is checked against the last Kafka input listed, the records' topic
                new Location("--model-updates", o.modelUpdates, Use.INPUT, false),
                new Location("--input", o.input, Use.INPUT, false),
                new Location("--output", o.output, Use.OUTPUT, true),
                new Location(o.deadLetter != null ? "--dead-letter" : "--dead-letter (default)", deadLetters,
                        Use.OUTPUT, true),
                new Location("--final-state", finalState, Use.OUTPUT, false),
                new Location("--final-savepoint", o.finalSavepoint, Use.OUTPUT, false),
                new Location("--checkpoint-dir", o.checkpointDir, Use.KEEP, false),
                new Location("--savepoint-dir", o.savepointDir, Use.KEEP, false)), o.restore != null || restoredByCluster(),
                o.overwrite);
        Map<String, String> flink = flinkConfig(o); // last: it may create a temporary checkpoint directory
        return new JobSettings(o.input, format, o.key, features, o.features == null && !kafkaInput, model, o.output,
                deadLetters, o.watch ? o.watchInterval : null, o.parallelism, o.maxParallelism, flink, o.stateTtl,
                resetState, finalState, o.savepointDir, o.finalSavepoint, kafka,
                KeyBundles.of(o.bundleSize, o.bundleLatency, o.bundleForward), stateCacheBytes(o),
                o.checkpointDir == null && embedded() ? flink.get("execution.checkpointing.dir") : null, o.verbose,
                serving, modelUpdates(o, kafkaInput), o.modelUpdates == null ? null : initialVersion(o));
    }

    /**
     * The directory of {@code --model-updates}: it must exist, and the run must be unbounded
     * (updates come while it runs: a bounded run would never end, its update source does not).
     */
    private static String modelUpdates(RunOptions o, boolean kafkaInput) {
        if (o.modelUpdates == null) {
            return null;
        }
        if (!(o.watch || (kafkaInput && !o.bounded))) {
            throw new IllegalArgumentException("--model-updates needs an unbounded run: add --watch (or read a "
                    + "kafka:// input without --bounded); a bounded run ends with its input");
        }
        if (KafkaAddress.isKafka(o.modelUpdates)) {
            KafkaAddress.parse(o.modelUpdates); // fail before anything starts
            return o.modelUpdates;
        }
        Path dir = OutputLocations.localPath(o.modelUpdates);
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--model-updates " + o.modelUpdates + (Files.exists(dir)
                    ? " is not a directory" : " does not exist") + ": give the directory new VERSION.npz files are "
                    + "moved into");
        }
        return o.modelUpdates;
    }

    /** The version of the weights a run starts with: the {@code --weights} file's name without {@code .npz}, or {@code initial}. */
    static String initialVersion(RunOptions o) {
        if (o.weights == null) {
            return "initial";
        }
        String name = o.weights.getFileName().toString();
        return name.endsWith(".npz") && name.length() > 4 ? name.substring(0, name.length() - 4) : name;
    }

    /**
     * Whether Flink restores this job from a savepoint given outside the flags ({@code flink run
     * -s}, a REST submission's {@code savepointPath}): that resumes the outputs as
     * {@code --restore} does.
     */
    private static boolean restoredByCluster() {
        return StreamExecutionEnvironment.getExecutionEnvironment().getConfiguration()
                .getOptional(org.apache.flink.configuration.ConfigOptions.key("execution.state-recovery.path")
                        .stringType().noDefaultValue())
                .isPresent();
    }

    /**
     * The state cache per model subtask. A stand-alone run's subtasks share this JVM's heap, and
     * the caches may take half of it: a {@code --state-cache} beyond that is refused (it would end
     * in {@code OutOfMemoryError} and restarts), the default is lowered to fit. On a cluster the
     * TaskManagers' heaps are not known here.
     */
    private static long stateCacheBytes(RunOptions o) {
        long bytes = o.stateCacheBytes();
        if (bytes == 0 || !embedded()) {
            return bytes;
        }
        int subtasks = o.parallelism != null ? o.parallelism : StreamExecutionEnvironment.getDefaultLocalParallelism();
        long heap = Runtime.getRuntime().maxMemory();
        long fits = heap / 2 / subtasks;
        if (bytes <= fits) {
            return bytes;
        }
        if (o.stateCache == null) {
            return fits;
        }
        throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "--state-cache %s does not fit: %d "
                + "model subtask%s share a heap of %s here, of which the state caches may take half (%s each); give "
                + "--state-cache %s or less, or more heap (java -Xmx... -jar)", megabytes(bytes), subtasks,
                subtasks == 1 ? "" : "s", megabytes(heap), megabytes(fits), megabytes(fits).replace(" ", "").toLowerCase(
                        java.util.Locale.ROOT)));
    }

    private static String megabytes(long bytes) {
        return bytes >= 1L << 30 && bytes % (1L << 30) == 0 ? (bytes >> 30) + " GB" : (bytes >> 20) + " MB";
    }

    /** The entries {@code --reset-state} starts over ({@link ResetState}); it needs a state to restore. */
    private static java.util.Set<String> resetState(RunOptions o, SpecModelFactory model) {
        if (o.resetState.isEmpty()) {
            return java.util.Set.of();
        }
        if (o.restore == null && !restoredByCluster()) {
            throw new IllegalArgumentException("--reset-state starts state entries over when the job starts from a "
                    + "savepoint or checkpoint: give that with --restore");
        }
        return ResetState.expand(model.createExported().module(), o.resetState);
    }

    /**
     * A local {@code --restore} must be a savepoint or checkpoint directory (holding
     * {@code _metadata}) or its {@code _metadata} file; a remote one is the cluster's to read.
     */
    private static void requireRestorable(String restore) {
        Path path = OutputLocations.localPath(restore);
        if (path == null) {
            return;
        }
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("--restore " + restore + " does not exist");
        }
        if (Files.isDirectory(path) && !Files.isRegularFile(path.resolve("_metadata"))) {
            throw new IllegalArgumentException("--restore " + restore + " is not a savepoint or checkpoint: it has no "
                    + "_metadata file (for a retained checkpoint, give its chk-N directory)");
        }
    }

    private static String finalState(RunOptions o) {
        if (o.finalSavepoint != null && o.watch) {
            throw new IllegalArgumentException("--final-savepoint needs a bounded input: a --watch run never ends; "
                    + "stop it with a savepoint instead (--savepoint-dir, or `flink stop`)");
        }
        return o.finalState;
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
        boolean any = KafkaAddress.isKafka(o.input) || KafkaAddress.isKafka(o.output) || KafkaAddress.isKafka(deadLetters)
                || o.stateChangelog != null || KafkaAddress.isKafka(o.modelUpdates);
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

    /**
     * The input's files now, as the job will read them (a local path; empty for a remote file
     * system or an empty directory), in the order it will read them.
     */
    private static List<FileSourceSplit> inputFiles(RunOptions o) {
        if (o.input.contains("://") && !o.input.startsWith("file:")) {
            return List.of();
        }
        Path input = localInput(o);
        if (!Files.exists(input)) {
            throw new IllegalArgumentException("--input " + o.input + " does not exist");
        }
        try {
            return InputFiles.of(input.toString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list --input " + o.input + ": " + e.getMessage(), e);
        }
    }

    private static Path localInput(RunOptions o) {
        return o.input.startsWith("file:") ? Path.of(java.net.URI.create(o.input)) : Path.of(o.input);
    }

    /** One format per run: the first file's (the first the job reads), by extension. */
    private static InputFormat formatOf(List<FileSourceSplit> files) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("--input has no files to tell the format from: pass --format csv|jsonl");
        }
        return InputFormat.fromPath(files.get(0).path().toUri().getPath());
    }

    private static List<String> inferFeatures(RunOptions o, List<FileSourceSplit> files, List<InputSample> samples) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("--input " + o.input + " has no files yet, so the features cannot be "
                    + "inferred: pass --features A,B,C");
        }
        return FeatureInference.defaultFeatures(samples, o.key);
    }

    /** The Flink configuration of the flags, by documented keys. */
    static Map<String, String> flinkConfig(RunOptions o) {
        Map<String, String> c = new LinkedHashMap<>();
        String backend = StateBackendOption.name(o.stateBackend);
        c.put("state.backend.type", backend);
        c.put("execution.checkpointing.incremental", Boolean.toString(backend.equals("rocksdb")));
        if (backend.equals("rocksdb")) {
            // Without partitioned index blocks, RocksDB re-reads and decompresses a whole SST
            // index block on most gets once state outgrows the block cache: 6x slower at 1M
            // keys in BENCHMARKS.md (B1).
            c.put("state.backend.rocksdb.memory.partitioned-index-filters", "true");
        }
        c.put("execution.checkpointing.interval", o.checkpointInterval.toMillis() + " ms");
        c.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        String checkpointDir = o.checkpointDir != null ? o.checkpointDir
                : embedded() ? JobSettings.createTemporaryCheckpointDir() : null;
        if (checkpointDir != null) {
            c.put("execution.checkpointing.dir", checkpointDir);
        }
        c.put("pipeline.generic-types", "false"); // state and records never fall back to Kryo
        // no operator of the job changes a record after it is emitted or keeps one it may change,
        // so chained operators can hand records on without a copy (B7: ~5 copies per record)
        c.put("pipeline.object-reuse", "true");
        c.put("pipeline.max-parallelism", Integer.toString(o.maxParallelism));
        if (embedded()) {
            // accumulators reach the client with the heartbeats: every second, for the progress bar
            c.put("heartbeat.interval", "1 s");
        }
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

    /** A stand-alone run has only the file systems of its class path: refuse another scheme at start. */
    private static void requireKnownFileSystem(String flag, String uri) {
        if (uri == null) {
            return;
        }
        try {
            new org.apache.flink.core.fs.Path(uri).getFileSystem();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " " + uri + ": " + e.getMessage(), e);
        }
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

    /**
     * Runs the job and, when it ends, prints its summary on standard error.
     *
     * @param progressInterval how often an unbounded run prints a progress line (zero: never)
     * @return the summary of a run that ended, or null (detached, or stopped)
     */
    static RunSummary run(JobSettings s, Duration progressInterval) throws Exception {
        StreamExecutionEnvironment env = environment(s);
        JobPipeline.build(env, s);
        boolean embedded = embedded();
        if (embedded) {
            ConsoleLogging.apply(s.verbose());
        }
        TaskFailures.reset();
        long start = System.nanoTime();
        JobExecutionResult result;
        RunLog log = runLog(s);
        try {
            if (!embedded && s.finalSavepoint() == null) {
                result = env.execute(jobName(s));
                if (result instanceof DetachedJobExecutionResult) {
                    return null;
                }
            } else if (s.bounded()) {
                JobClient client = env.executeAsync(jobName(s));
                sample(log, client);
                try (Progress progress = embedded ? Progress.start(client, s, progressInterval, inputBytes(s))
                        : Progress.none()) {
                    if (s.finalSavepoint() != null) {
                        FinalSavepoint.take(client, s, readers(env, s));
                    }
                    result = client.getJobExecutionResult().get();
                }
            } else {
                result = runUntilStopped(env, s, progressInterval, log);
                if (result == null) {
                    return null;
                }
            }
        } finally {
            if (log != null) {
                log.close();
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        RunSummary summary = RunSummary.of(result.getAllAccumulatorResults(), elapsed);
        if (log != null) {
            log.end(new RunLog.Counts(summary.recordsIn(), summary.outputs(), summary.deadLetterCount()));
        }
        System.err.print(summary.render(s));
        System.err.flush();
        if (s.temporaryCheckpointDir() != null) {
            deleteRecursively(OutputLocations.localPath(s.temporaryCheckpointDir()));
        }
        return summary;
    }

    /** The input's readers: one for files, the source's parallelism for Kafka. */
    private static int readers(StreamExecutionEnvironment env, JobSettings s) {
        if (!KafkaAddress.isKafka(s.input())) {
            return 1;
        }
        return s.parallelism() != null ? s.parallelism() : Math.max(1, env.getParallelism());
    }

    /**
     * A stand-alone run that never ends on its own: Ctrl-C or SIGTERM stops it cleanly. In the
     * launcher's child the signals are handled here rather than by the JVM's shutdown: the job is
     * stopped (with a savepoint, or cancelled keeping its checkpoints), then the run ends as any
     * run that did what it was asked, with status 0. A shutdown for another reason (the launcher
     * ended, {@link Launcher#endWithParent}) stops the job the same way from a shutdown hook.
     *
     * @return the job's result, or null when it was stopped
     */
    private static JobExecutionResult runUntilStopped(StreamExecutionEnvironment env, JobSettings s,
            Duration progressInterval, RunLog log) throws Exception {
        JobClient client = env.executeAsync(jobName(s));
        sample(log, client);
        java.util.concurrent.atomic.AtomicReference<Boolean> stopped = new java.util.concurrent.atomic.AtomicReference<>();
        Runnable stop = () -> {
            synchronized (stopped) {
                if (stopped.get() == null) {
                    stopped.set(stopOnShutdown(client, s));
                }
            }
        };
        Thread hook = new Thread(stop);
        Runtime.getRuntime().addShutdownHook(hook);
        if (Boolean.getBoolean(FlinoxCli.STANDALONE)) {
            for (String signal : new String[] {"TERM", "INT"}) {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), sig -> {
                    Thread t = new Thread(() -> {
                        stop.run();
                        if (!Boolean.TRUE.equals(stopped.get())) {
                            System.exit(1); // the job could not be stopped: the line above says why
                        }
                    }, "flinox-stop");
                    t.setDaemon(true);
                    t.start();
                });
            }
        }
        try (Progress progress = Progress.start(client, s, progressInterval, 0)) {
            return client.getJobExecutionResult().get();
        } catch (java.util.concurrent.ExecutionException e) {
            synchronized (stopped) {
                if (Boolean.TRUE.equals(stopped.get())) {
                    return null; // cancelled as asked
                }
            }
            throw e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
    }

    /**
     * The run's log beside its outputs, for {@code report} (see {@link RunLog}): only for an
     * output directory this process can see; null otherwise.
     */
    private static RunLog runLog(JobSettings s) {
        Path dir = s.output() == null || KafkaAddress.isKafka(s.output()) ? null : OutputLocations.localPath(s.output());
        if (dir == null || !Files.isDirectory(dir)) {
            return null;
        }
        return RunLog.start(dir, new RunLog.RunInfo(s.input(), s.format() == null ? null : s.format().name().toLowerCase(
                java.util.Locale.ROOT), s.keyField(), s.features(), s.model().specJson(), s.deadLetters(), s.finalState()));
    }

    /** The run's counts into its log, once a second, from the accumulators the client sees. */
    private static void sample(RunLog log, JobClient client) {
        if (log == null) {
            return;
        }
        log.sampleEverySecond(() -> {
            try {
                RunSummary now = RunSummary.of(client.getAccumulators().get(5, TimeUnit.SECONDS), Duration.ZERO);
                return new RunLog.Counts(now.recordsIn(), now.outputs(), now.deadLetterCount());
            } catch (Exception e) {
                return null; // finishing, or busy: the next second tries again
            }
        });
    }

    /** The bytes of a bounded local file input, for the progress bar; 0 when unknown or compressed. */
    private static long inputBytes(JobSettings s) {
        Path input = KafkaAddress.isKafka(s.input()) ? null : OutputLocations.localPath(s.input());
        if (input == null || !Files.exists(input)) {
            return 0;
        }
        try {
            long total = 0;
            for (FileSourceSplit f : InputFiles.of(input.toString())) {
                if (InputFiles.isCompressed(f.path().getName())) {
                    return 0; // the bar counts decompressed bytes
                }
                total += f.fileSize();
            }
            return total;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            System.err.println("flinox: could not delete the temporary checkpoint directory " + dir + ": " + e.getMessage());
        }
    }

    /** Stops the job as Ctrl-C asks; whether it stopped (a savepoint taken, or cancelled). */
    private static boolean stopOnShutdown(JobClient client, JobSettings s) {
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
            return true;
        } catch (Exception e) {
            System.err.println("flinox: could not stop the job cleanly: " + e.getMessage());
            return false;
        }
    }
}

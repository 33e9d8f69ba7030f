package org.flinox.job;

import java.time.Duration;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.PrintSink;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.util.function.SerializableFunction;
import org.flinox.job.input.InputFormat;
import org.flinox.job.input.InputSources;
import org.flinox.job.input.UpdateFiles;
import org.flinox.job.input.KeyedLine;
import org.flinox.job.input.ParseByKey;
import org.flinox.job.input.ParseFunction;
import org.flinox.job.input.RawLine;
import org.flinox.job.input.RecordParser;
import org.flinox.job.kafka.KafkaAddress;
import org.flinox.job.kafka.KafkaConnectors;
import org.flinox.job.kafka.KafkaUpdates;
import org.flinox.job.state.StateRowJson;
import org.flinox.operators.DeadLetter;
import org.flinox.operators.DeadLetters;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.FinalState;
import org.flinox.operators.Flinox;
import org.flinox.operators.ModelOutput;
import org.flinox.operators.ModelSettings;
import org.flinox.operators.ModelUpdate;
import org.flinox.operators.ModelUpdates;
import org.flinox.operators.ModelStream;
import org.flinox.operators.Rejected;

/**
 * The dataflow: read lines (files or a Kafka topic) → parse (bad lines to dead letters) → key
 * → model (CSV files: read → key each line by its key cell → parse at the model's parallelism →
 * model) ({@link Flinox#apply}, the library API: each key's whole State in one ValueState) →
 * JSON lines (files or Kafka topics), exactly once. Every operator has a stable uid so a
 * savepoint maps back to it.
 */
public final class JobPipeline {

    private JobPipeline() {}

    /** The job's dataflow in {@code env}. */
    public static void build(StreamExecutionEnvironment env, JobSettings s) {
        build(env, s, UnaryOperator.identity());
    }

    /**
     * The job's dataflow, with {@code beforeKey} applied to the parsed records just before they
     * are keyed: the place a test injects a failure. It must keep the records' order (no
     * shuffle: chain it at the parsing's parallelism).
     */
    public static void build(StreamExecutionEnvironment env, JobSettings s,
            UnaryOperator<DataStream<FeatureRecord>> beforeKey) {
        SingleOutputStreamOperator<FeatureRecord> records;
        KeyedStream<FeatureRecord, String> keyed;
        if (parsesAfterKeying(s)) {
            records = parseByKey(keyLines(countLines(fileInput(env, s), 1), s), s);
            DataStream<FeatureRecord> hooked = beforeKey.apply(records);
            // each record is on its key's subtask already; a test's hook may have moved it (its own parallelism)
            keyed = hooked == records ? DataStreamUtils.reinterpretAsKeyedStream(records, FeatureRecord::key, Types.STRING)
                    : hooked.keyBy(FeatureRecord::key, Types.STRING);
        } else {
            records = KafkaAddress.isKafka(s.input())
                    ? parse(countLines(kafkaInput(env, s), s.parallelism()), s, s.parallelism())
                    : parse(countLines(fileInput(env, s), 1), s, 1);
            keyed = beforeKey.apply(records).keyBy(FeatureRecord::key, Types.STRING);
        }

        ModelStream<FeatureRecord> model = s.modelUpdates() == null
                ? Flinox.apply(keyed, s.model(), FeatureRecord::features, modelSettings(s))
                : Flinox.apply(keyed, s.model(), FeatureRecord::features, modelSettings(s),
                        new ModelUpdates(modelUpdates(env, s), s.initialVersion()));
        // counted chained to the model (same parallelism, forward), where each key has one subtask
        SingleOutputStreamOperator<ModelOutput<FeatureRecord>> outputs = model.outputs()
                .map(new Tally.Outputs(s.bounded())).returns(model.outputs().getType())
                .uid("flinox-tally-outputs").name("count outputs");
        SingleOutputStreamOperator<DeadLetter> rejected = model.deadLetters().map(JobPipeline::deadLetter)
                .returns(TypeInformation.of(DeadLetter.class)).uid("flinox-model-dead-letters").name("model dead letters");
        if (s.parallelism() != null) {
            model.outputs().setParallelism(s.parallelism());
            outputs.setParallelism(s.parallelism());
            rejected.setParallelism(s.parallelism());
        }

        DataStream<DeadLetter> uncounted = records.getSideOutput(DeadLetters.TAG).union(rejected);
        SingleOutputStreamOperator<DeadLetter> counted = uncounted.map(new Tally.DeadLetters())
                .returns(uncounted.getType()).uid("flinox-tally-dead-letters").name("count dead letters");
        if (s.parallelism() != null) {
            counted.setParallelism(s.parallelism());
        }
        DataStream<DeadLetter> deadLetters = counted;
        if (s.modelUpdates() != null) { // not counted with the records': they are the control stream's
            deadLetters = deadLetters.union(model.refusedUpdates().map(JobPipeline::refusedUpdate)
                    .returns(TypeInformation.of(DeadLetter.class)).uid("flinox-refused-updates").name("refused updates"));
        }

        writeJsonLines(outputs, s.output(), s, JsonLinesSink.OUTPUT, o -> o.input().key(), JsonLines::output);
        writeJsonLines(deadLetters, s.deadLetters(), s, JsonLinesSink.DEAD_LETTERS, DeadLetter::key, JsonLines::deadLetter);
        s.serving().write(model.stateChanges(), s.kafka(), s.parallelism());
        if (finalStateRows(s)) {
            model.finalState().map(row -> StateRowJson.write(row.toStateRow())).returns(Types.STRING)
                    .uid("flinox-final-state-json").name("final state json")
                    .sinkTo(sink(s.finalState(), false)).uid(sinkUid("flinox-final-state", s.finalState()))
                    .name("final state");
        }
    }

    /**
     * Whether the model emits every key's state when the input ends, for {@code --final-state}.
     * With {@code --final-savepoint} the input never ends inside the job (the job stops with a
     * savepoint, see {@link BoundedInput}): the client then writes {@code --final-state} from
     * that savepoint.
     */
    private static boolean finalStateRows(JobSettings s) {
        return s.finalState() != null && s.finalSavepoint() == null;
    }

    /**
     * The model's settings from the job's: the flags' values, and {@code --reset-state} named in
     * the message of a restore that needs it.
     */
    static ModelSettings modelSettings(JobSettings s) {
        return new ModelSettings(s.stateTtl(), s.resetState(), s.bundles(), s.stateCacheBytes(), finalStateRows(s),
                "--reset-state NAME", s.serving().any());
    }

    /**
     * The updates of {@code --model-updates}: its directory watched as {@code --watch} watches an
     * input, or its Kafka topic, by one reader, so every model subtask sees them in the same order.
     */
    private static DataStream<ModelUpdate> modelUpdates(StreamExecutionEnvironment env, JobSettings s) {
        if (KafkaAddress.isKafka(s.modelUpdates())) {
            return env.fromSource(KafkaUpdates.source(KafkaAddress.parse(s.modelUpdates()), s.kafka()),
                    WatermarkStrategy.noWatermarks(), "model updates " + s.modelUpdates())
                    .uid("flinox-model-updates-" + locationHash(s.modelUpdates())).setParallelism(1);
        }
        return env.fromSource(UpdateFiles.watch(s.modelUpdates(),
                        s.watch() != null ? s.watch() : Duration.ofSeconds(1)), WatermarkStrategy.noWatermarks(),
                "model updates").uid("flinox-model-updates-" + locationHash(s.modelUpdates())).setParallelism(1);
    }

    /** A refused model update as a dead letter: its file as the source, its version as the key, seq -1. */
    private static DeadLetter refusedUpdate(Rejected<ModelUpdate> r) {
        return new DeadLetter(r.input().source(), -1, r.input().version(), "", r.reason(), r.detail());
    }

    /** A record the model refused, as the job's dead letters hold it. */
    private static DeadLetter deadLetter(Rejected<FeatureRecord> r) {
        FeatureRecord f = r.input();
        return new DeadLetter(f.source(), f.seq(), f.key(), f.raw(), r.reason(), r.detail());
    }

    /**
     * The source's uid, from its input: restoring with the same input resumes where the
     * reading stopped; with another input, that input is read from its start.
     */
    static String inputUid(String input) {
        return "flinox-input-" + locationHash(input);
    }

    /**
     * A file sink's uid, from its directory. A restored {@code FileSink} keeps writing into the
     * directory its state names, whatever the job now says: restoring with the same directory
     * resumes its files; with another one, a sink of another uid starts afresh there (the old
     * sink's state is let go; what it staged was committed with the savepoint it came from).
     * Printing and Kafka sinks keep {@code base}: their state names no location.
     */
    static String sinkUid(String base, String location) {
        return location == null || KafkaAddress.isKafka(location) ? base : base + "-" + locationHash(location);
    }

    /** A short hash of a location, made absolute when it is a local path. */
    private static String locationHash(String location) {
        String normalized = location.contains("://") ? location
                : java.nio.file.Path.of(location).toAbsolutePath().normalize().toString();
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(normalized.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JVM has SHA-256
        }
    }

    /**
     * One reader: files are read one at a time in arrival order, so with the key read (CSV) or
     * the parse (JSON lines) chained to it and one keyBy after, each key sees its records in order.
     */
    static DataStream<RawLine> fileInput(StreamExecutionEnvironment env, JobSettings s) {
        InputSources sources = InputSources.forPath(s.input()).format(s.format());
        if (s.watch() != null) {
            return env.fromSource(sources.watch(s.watch()).build(), WatermarkStrategy.noWatermarks(), "input")
                    .uid(inputUid(s.input())).setParallelism(1);
        }
        // a bounded run: a continuous source that lists the input once (BoundedInput says why)
        BoundedInput<?, ?> once = BoundedInput.files(sources.watch(Duration.ofDays(1)).build(), s.finalSavepoint() != null);
        return env.fromSource(once, WatermarkStrategy.noWatermarks(), "input").uid(inputUid(s.input())).setParallelism(1);
    }

    /**
     * Readers at the job's parallelism: each partition is read by one reader, in offset order, and
     * parsing is chained to its reader (same parallelism, forward), so each key sees its records in
     * partition order as long as a key's records are in one partition.
     */
    private static DataStream<RawLine> kafkaInput(StreamExecutionEnvironment env, JobSettings s) {
        BoundedInput<?, ?> source = BoundedInput.kafka(
                KafkaConnectors.source(KafkaAddress.parse(s.input()), s.kafka(), s.format()), s.finalSavepoint() != null);
        SingleOutputStreamOperator<RawLine> lines = env.fromSource(source, WatermarkStrategy.noWatermarks(),
                        "input " + s.input())
                .uid(inputUid(s.input()));
        if (s.parallelism() != null) {
            lines.setParallelism(s.parallelism());
        }
        return lines;
    }

    /** Lines read and their bytes, chained to the reader (the same parallelism). */
    static DataStream<RawLine> countLines(DataStream<RawLine> lines, Integer parallelism) {
        SingleOutputStreamOperator<RawLine> counted = lines.map(new Tally.Lines()).returns(lines.getType())
                .uid("flinox-tally-lines").name("count lines");
        SingleOutputStreamOperator<RawLine> real = counted.filter(line -> !BoundedInput.isEndMarker(line))
                .uid("flinox-end-of-input").name("end of input");
        if (parallelism != null) {
            counted.setParallelism(parallelism);
            real.setParallelism(parallelism);
        }
        return real;
    }

    /**
     * Whether the lines are keyed before they are parsed: CSV files, whose one reader reads only
     * each line's key cell ({@link RecordParser#routingKey}) so the full parse runs at the model's
     * parallelism. Kafka's readers already run at that parallelism; a JSON line's key needs the
     * whole line parsed.
     */
    static boolean parsesAfterKeying(JobSettings s) {
        return !KafkaAddress.isKafka(s.input()) && s.format() == InputFormat.CSV;
    }

    /** Each line with its record's key, chained to the one reader, then keyed: every key's lines in order. */
    static KeyedStream<KeyedLine, String> keyLines(DataStream<RawLine> lines, JobSettings s) {
        RecordParser parser = new RecordParser(s.format(), s.keyField(), s.features());
        return lines.map(line -> new KeyedLine(parser.routingKey(line), line)).returns(KeyedLine.class)
                .uid("flinox-key-lines").name("key lines").setParallelism(1)
                .keyBy(KeyedLine::key, Types.STRING);
    }

    /** The parse of keyed lines, at the model's parallelism (null: the default, like the model's). */
    static SingleOutputStreamOperator<FeatureRecord> parseByKey(KeyedStream<KeyedLine, String> lines, JobSettings s) {
        SingleOutputStreamOperator<FeatureRecord> records = lines
                .process(new ParseByKey(new RecordParser(s.format(), s.keyField(), s.features()), DeadLetters.TAG),
                        TypeInformation.of(FeatureRecord.class))
                .uid("flinox-parse").name("parse");
        if (s.parallelism() != null) {
            records.setParallelism(s.parallelism());
        }
        return records;
    }

    /** Parsing, chained to the reader: the same parallelism (null: the default, like the reader's). */
    static SingleOutputStreamOperator<FeatureRecord> parse(DataStream<RawLine> lines, JobSettings s,
            Integer parallelism) {
        SingleOutputStreamOperator<FeatureRecord> records = lines
                .process(new ParseFunction(new RecordParser(s.format(), s.keyField(), s.features()), DeadLetters.TAG))
                .uid("flinox-parse").name("parse");
        if (parallelism != null) {
            records.setParallelism(parallelism);
        }
        return records;
    }

    /**
     * A JSON-lines sink's operator names and uids. The uids stay as they were (savepoints map
     * state to operators by uid); the Kafka sink's are {@code uid + "-kafka"} and its
     * transactional role {@code uid} without {@code flinox-}.
     */
    private record JsonLinesSink(String name, String uid, String jsonName, String jsonUid, boolean stdErr) {
        static final JsonLinesSink OUTPUT =
                new JsonLinesSink("output", "flinox-output", "output json", "flinox-output-json", false);
        static final JsonLinesSink DEAD_LETTERS =
                new JsonLinesSink("dead letters", "flinox-dead-letters", "dead letter json", "flinox-dead-letter-json", true);
    }

    /**
     * {@code stream} as JSON lines where {@code location} says: a {@code kafka://} topic
     * (keyed by {@code key}), a directory, or standard output (error for dead letters) when null.
     * The JSON step and the sink run at the model's parallelism, chained to it: a record is
     * neither serialized nor handed to another thread on its way out.
     */
    private static <T> void writeJsonLines(DataStream<T> stream, String location, JobSettings s, JsonLinesSink ids,
            SerializableFunction<T, String> key, SerializableFunction<T, String> json) {
        if (KafkaAddress.isKafka(location)) {
            DataStreamSink<T> sink = stream.sinkTo(KafkaConnectors.sink(KafkaAddress.parse(location), s.kafka(),
                            ids.uid().substring("flinox-".length()), key, json))
                    .uid(ids.uid() + "-kafka").name(ids.name());
            if (s.parallelism() != null) {
                sink.setParallelism(s.parallelism());
            }
            return;
        }
        SingleOutputStreamOperator<String> lines = stream.map(json::apply).returns(Types.STRING)
                .uid(ids.jsonUid()).name(ids.jsonName());
        DataStreamSink<String> sink = lines.sinkTo(sink(location, ids.stdErr())).uid(sinkUid(ids.uid(), location))
                .name(ids.name());
        if (s.parallelism() != null) {
            lines.setParallelism(s.parallelism());
            sink.setParallelism(s.parallelism());
        }
        if (location == null) {
            sink.setParallelism(1); // one printer, so the stream carries bare JSON lines (no "subtask> " prefixes)
        }
    }

    /**
     * Creates a sink's directory when the job is built: a FileSink makes it only with its first
     * file, and a run without dead letters should leave an empty dead-letter directory behind,
     * not none (which would look like a run that wrote them elsewhere).
     */
    private static void createDirectory(String dir) {
        Path path = new Path(dir);
        try {
            path.getFileSystem().mkdirs(path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create the directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * JSON lines into part files committed on checkpoints (a part file per checkpoint and
     * subtask, written through a buffer: {@link BufferedLines}), or printed when no directory is
     * given.
     */
    private static Sink<String> sink(String dir, boolean stdErr) {
        if (dir == null) {
            return new PrintSink<>(stdErr);
        }
        createDirectory(dir);
        return FileSink.forBulkFormat(new Path(dir), BufferedLines.factory())
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("part").withPartSuffix(".jsonl").build())
                .build();
    }
}

package org.flinox.job;

import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.PrintSink;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.flinox.operators.DeadLetter;
import org.flinox.operators.DeadLetters;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.ModelOutput;
import org.flinox.operators.ModuleFunction;
import org.flinox.operators.OperatorIds;
import org.flinox.operators.RawLine;

/**
 * The dataflow: read lines (files or a Kafka topic) → parse (bad lines to dead letters) → key
 * → model (one ValueState per StateKey) → JSON lines (files or Kafka topics), exactly once. Every operator has a stable uid so a
 * savepoint maps back to it.
 */
final class JobPipeline {

    private JobPipeline() {}

    static void build(StreamExecutionEnvironment env, JobSettings s) {
        build(env, s, UnaryOperator.identity());
    }

    /**
     * The dataflow with {@code beforeKey} applied to the parsed records before they are keyed (a
     * filter, or a test's failure injection); it must keep the records' order (no shuffle).
     */
    static void build(StreamExecutionEnvironment env, JobSettings s,
            UnaryOperator<DataStream<FeatureRecord>> beforeKey) {
        SingleOutputStreamOperator<FeatureRecord> records = KafkaAddress.isKafka(s.input())
                ? parse(kafkaInput(env, s), s, s.parallelism())
                : parse(fileInput(env, s), s, 1);

        SingleOutputStreamOperator<ModelOutput> outputs = beforeKey.apply(records)
                .keyBy(FeatureRecord::key, Types.STRING)
                .process(new ModuleFunction(s.model(), s.stateTtl()))
                .uid(OperatorIds.model(s.model().name())).name("model " + s.model().name());
        if (s.parallelism() != null) {
            outputs.setParallelism(s.parallelism());
        }

        DataStream<DeadLetter> deadLetters = records.getSideOutput(DeadLetters.TAG)
                .union(outputs.getSideOutput(DeadLetters.TAG));

        if (KafkaAddress.isKafka(s.output())) {
            outputs.sinkTo(KafkaConnectors.sink(KafkaAddress.parse(s.output()), s.kafka(), "output",
                            ModelOutput::key, JsonLines::output))
                    .uid("flinox-output-kafka").name("output");
        } else {
            outputs.map(JsonLines::output).returns(Types.STRING).uid("flinox-output-json").name("output json")
                    .sinkTo(sink(s.output(), false)).uid("flinox-output").name("output");
        }
        if (KafkaAddress.isKafka(s.deadLetters())) {
            deadLetters.sinkTo(KafkaConnectors.sink(KafkaAddress.parse(s.deadLetters()), s.kafka(), "dead-letters",
                            DeadLetter::key, JsonLines::deadLetter))
                    .uid("flinox-dead-letters-kafka").name("dead letters");
        } else {
            deadLetters.map(JsonLines::deadLetter).returns(Types.STRING).uid("flinox-dead-letter-json")
                    .name("dead letter json")
                    .sinkTo(sink(s.deadLetters(), true)).uid("flinox-dead-letters").name("dead letters");
        }
    }

    /**
     * One reader: files are read one at a time in arrival order, so with parsing chained to it
     * and no shuffle before the keyBy, each key sees its records in order.
     */
    private static DataStream<RawLine> fileInput(StreamExecutionEnvironment env, JobSettings s) {
        InputSources sources = InputSources.forPath(s.input()).format(s.format());
        if (s.watch() != null) {
            sources.watch(s.watch());
        }
        return env.fromSource(sources.build(), WatermarkStrategy.noWatermarks(), "input")
                .uid("flinox-input").setParallelism(1);
    }

    /**
     * Readers at the job's parallelism: each partition is read by one reader, in offset order, and
     * parsing is chained to its reader (same parallelism, forward), so each key sees its records in
     * partition order as long as a key's records are in one partition.
     */
    private static DataStream<RawLine> kafkaInput(StreamExecutionEnvironment env, JobSettings s) {
        SingleOutputStreamOperator<RawLine> lines = env.fromSource(
                        KafkaConnectors.source(KafkaAddress.parse(s.input()), s.kafka(), s.format()),
                        WatermarkStrategy.noWatermarks(), "input " + s.input())
                .uid("flinox-input-kafka");
        if (s.parallelism() != null) {
            lines.setParallelism(s.parallelism());
        }
        return lines;
    }

    /** Parsing, chained to the reader: the same parallelism (null: the default, like the reader's). */
    private static SingleOutputStreamOperator<FeatureRecord> parse(DataStream<RawLine> lines, JobSettings s,
            Integer parallelism) {
        SingleOutputStreamOperator<FeatureRecord> records = lines
                .process(new ParseFunction(new RecordParser(s.format(), s.keyField(), s.features()), DeadLetters.TAG))
                .uid("flinox-parse").name("parse");
        if (parallelism != null) {
            records.setParallelism(parallelism);
        }
        return records;
    }

    /** JSON lines into part files committed on checkpoints, or printed when no directory is given. */
    private static Sink<String> sink(String dir, boolean stdErr) {
        if (dir == null) {
            return new PrintSink<>(stdErr);
        }
        return FileSink.forRowFormat(new Path(dir), new SimpleStringEncoder<String>("UTF-8"))
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("part").withPartSuffix(".jsonl").build())
                .build();
    }
}

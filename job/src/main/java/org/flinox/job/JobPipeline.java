package org.flinox.job;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
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
 * The dataflow: read lines → parse (bad lines to dead letters) → key → model (one
 * ValueState per StateKey) → JSON lines, exactly once. Every operator has a stable uid so a
 * savepoint maps back to it.
 */
final class JobPipeline {

    private JobPipeline() {}

    static void build(StreamExecutionEnvironment env, JobSettings s) {
        InputSources sources = InputSources.forPath(s.input()).format(s.format());
        if (s.watch() != null) {
            sources.watch(s.watch());
        }
        // One reader, with parsing chained to it: files are read one at a time in arrival
        // order and no shuffle sits before the keyBy, so each key sees its records in order.
        DataStream<RawLine> lines = env.fromSource(sources.build(), WatermarkStrategy.noWatermarks(), "input")
                .uid("flinox-input").setParallelism(1);
        SingleOutputStreamOperator<FeatureRecord> records = lines
                .process(new ParseFunction(new RecordParser(s.format(), s.keyField(), s.features()), DeadLetters.TAG))
                .uid("flinox-parse").name("parse").setParallelism(1);

        SingleOutputStreamOperator<ModelOutput> outputs = records
                .keyBy(FeatureRecord::key, Types.STRING)
                .process(new ModuleFunction(s.model(), s.stateTtl()))
                .uid(OperatorIds.model(s.model().name())).name("model " + s.model().name());
        if (s.parallelism() != null) {
            outputs.setParallelism(s.parallelism());
        }

        DataStream<DeadLetter> deadLetters = records.getSideOutput(DeadLetters.TAG)
                .union(outputs.getSideOutput(DeadLetters.TAG));

        DataStreamSink<String> out = outputs.map(JsonLines::output).returns(Types.STRING)
                .uid("flinox-output-json").name("output json")
                .sinkTo(sink(s.output(), false)).uid("flinox-output").name("output");
        DataStreamSink<String> dead = deadLetters.map(JsonLines::deadLetter).returns(Types.STRING)
                .uid("flinox-dead-letter-json").name("dead letter json")
                .sinkTo(sink(s.deadLetters(), true)).uid("flinox-dead-letters").name("dead letters");
        // one printer, so standard output carries bare JSON lines (no "subtask> " prefixes)
        if (s.output() == null) {
            out.setParallelism(1);
        }
        if (s.deadLetters() == null) {
            dead.setParallelism(1);
        }
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

package org.flinox.job;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.flinox.job.input.KeyedLine;
import org.flinox.job.input.RawLine;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.Flinox;
import org.flinox.operators.ModelOutput;
import org.flinox.operators.ModelStream;

/**
 * The job's dataflow over CSV files cut after one of its stages, for the benchmark B7: the same
 * pieces {@link JobPipeline} builds (its reader and line count, the key read from each line and
 * the keyBy, the parse, the model, JSON lines), up to {@code stage}, then a discarding sink.
 * {@link Stage#SINK} is the whole job. The differences between consecutive stages' run times
 * are what each stage costs. {@link #parsingOnTheReader} is the dataflow before the lines were
 * keyed ahead of the parse (the parse chained to the one reader), up to the JSON lines.
 */
public final class JobStages {

    /** Where the dataflow is cut, in the job's order. */
    public enum Stage {
        /** The file source and the line count. */
        READ,
        /** + each line's key cell (chained to the reader) and the keyBy, to a no-op at the model's parallelism. */
        KEY,
        /** + the parse, at the model's parallelism. */
        PARSE,
        /** + the model (and its output count, chained to it). */
        MODEL,
        /** + each output as its JSON line. */
        FORMAT,
        /** The whole job: the file sinks (outputs and dead letters) and their commits on checkpoints. */
        SINK
    }

    private JobStages() {}

    /** The job of {@code s} (CSV files) up to {@code stage} in {@code env}. */
    public static void build(StreamExecutionEnvironment env, JobSettings s, Stage stage) {
        if (!JobPipeline.parsesAfterKeying(s)) {
            throw new IllegalArgumentException("the cuts are of the job over CSV files");
        }
        if (stage == Stage.SINK) {
            JobPipeline.build(env, s);
            return;
        }
        DataStream<RawLine> lines = JobPipeline.countLines(JobPipeline.fileInput(env, s), 1);
        if (stage == Stage.READ) {
            discard(lines, 1);
            return;
        }
        KeyedStream<KeyedLine, String> keyed = JobPipeline.keyLines(lines, s);
        if (stage == Stage.KEY) {
            discard(keyed.map(l -> l).returns(KeyedLine.class).uid("bench-keyed").setParallelism(s.parallelism()),
                    s.parallelism());
            return;
        }
        DataStream<FeatureRecord> records = JobPipeline.parseByKey(keyed, s);
        if (stage == Stage.PARSE) {
            discard(records, s.parallelism());
            return;
        }
        model(DataStreamUtils.reinterpretAsKeyedStream(records, FeatureRecord::key, Types.STRING), s, stage);
    }

    /** The job before the lines were keyed ahead of the parse: read and parse on one reader, keyBy, model, JSON lines. */
    public static void parsingOnTheReader(StreamExecutionEnvironment env, JobSettings s) {
        DataStream<FeatureRecord> records = JobPipeline.parse(JobPipeline.countLines(JobPipeline.fileInput(env, s), 1), s, 1);
        model(records.keyBy(FeatureRecord::key, Types.STRING), s, Stage.FORMAT);
    }

    private static void model(KeyedStream<FeatureRecord, String> keyed, JobSettings s, Stage stage) {
        ModelStream<FeatureRecord> model = Flinox.apply(keyed, s.model(), FeatureRecord::features,
                JobPipeline.modelSettings(s));
        model.outputs().setParallelism(s.parallelism());
        DataStream<ModelOutput<FeatureRecord>> outputs = model.outputs().map(new Tally.Outputs(s.bounded()))
                .returns(model.outputs().getType()).uid("flinox-tally-outputs").setParallelism(s.parallelism());
        if (stage == Stage.MODEL) {
            discard(outputs, s.parallelism());
            return;
        }
        discard(outputs.map(JsonLines::output).returns(Types.STRING).uid("flinox-output-json")
                .setParallelism(s.parallelism()), s.parallelism());
    }

    private static <T> void discard(DataStream<T> stream, int parallelism) {
        stream.sinkTo(new DiscardingSink<>()).uid("bench-discard").setParallelism(parallelism);
    }
}

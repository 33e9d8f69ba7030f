package org.flinox.job;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.flinox.job.input.RawLine;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.Flinox;
import org.flinox.operators.ModelOutput;
import org.flinox.operators.ModelStream;

/**
 * The job's file dataflow cut after one of its stages, for the benchmark B7: the same pieces
 * {@link JobPipeline} builds (its reader, line count, parser, keyBy, model, JSON lines), up to
 * {@code stage}, then a discarding sink. {@link Stage#SINK} is the whole job. The differences
 * between consecutive stages' run times are what each stage costs.
 */
public final class JobStages {

    /** Where the dataflow is cut, in the job's order. */
    public enum Stage {
        /** The file source and the line count. */
        READ,
        /** + the parse (chained to the reader). */
        PARSE,
        /** + keyBy to a no-op at the model's parallelism: the shuffle's serialization and hand-over. */
        KEY,
        /** + the model (and its output count, chained to it). */
        MODEL,
        /** + each output as its JSON line. */
        FORMAT,
        /** The whole job: the file sinks (outputs and dead letters) and their commits on checkpoints. */
        SINK
    }

    private JobStages() {}

    /** The job of {@code s} up to {@code stage} in {@code env}. */
    public static void build(StreamExecutionEnvironment env, JobSettings s, Stage stage) {
        if (stage == Stage.SINK) {
            JobPipeline.build(env, s);
            return;
        }
        DataStream<RawLine> lines = JobPipeline.countLines(JobPipeline.fileInput(env, s), 1);
        if (stage == Stage.READ) {
            lines.sinkTo(new DiscardingSink<>()).uid("bench-discard").setParallelism(1);
            return;
        }
        DataStream<FeatureRecord> records = JobPipeline.parse(lines, s, 1);
        if (stage == Stage.PARSE) {
            records.sinkTo(new DiscardingSink<>()).uid("bench-discard").setParallelism(1);
            return;
        }
        if (stage == Stage.KEY) {
            records.keyBy(FeatureRecord::key, Types.STRING).map(r -> r).returns(records.getType())
                    .uid("bench-keyed").setParallelism(s.parallelism())
                    .sinkTo(new DiscardingSink<>()).uid("bench-discard").setParallelism(s.parallelism());
            return;
        }
        ModelStream<FeatureRecord> model = Flinox.apply(records.keyBy(FeatureRecord::key, Types.STRING), s.model(),
                FeatureRecord::features, JobPipeline.modelSettings(s));
        model.outputs().setParallelism(s.parallelism());
        DataStream<ModelOutput<FeatureRecord>> outputs = model.outputs().map(new Tally.Outputs(s.bounded()))
                .returns(model.outputs().getType()).uid("flinox-tally-outputs").setParallelism(s.parallelism());
        if (stage == Stage.MODEL) {
            outputs.sinkTo(new DiscardingSink<>()).uid("bench-discard").setParallelism(s.parallelism());
            return;
        }
        outputs.map(JsonLines::output).returns(Types.STRING).uid("flinox-output-json").setParallelism(s.parallelism())
                .sinkTo(new DiscardingSink<>()).uid("bench-discard").setParallelism(s.parallelism());
    }
}

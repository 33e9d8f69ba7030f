package org.flinox.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.array.DoublePrimitiveArraySerializer;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.util.Collector;

/**
 * What a Flink user would write for the whole job without Flinox, the baseline of B7-skew: a
 * text-line {@link FileSource}; a flat map on the one reader that skips the header, numbers the
 * rows and splits them at their commas; {@code keyBy} the key cell; a {@link KeyedProcessFunction}
 * keeping count, mean and m2 in one {@code ValueState<double[]>} ({@link PlainWelford}) that
 * writes each row's z-scores as the job's JSON line with a Jackson tree; a row-format
 * {@link FileSink} writing its parts under the output directory, rolling on checkpoints. Same lines as the job and {@link PlainJob} for a CSV
 * file without quotes; no dead letters, no checks.
 */
final class HandWrittenJob {

    private static final TypeInformation<Tuple3<String, Long, double[]>> ROW =
            Types.TUPLE(Types.STRING, Types.LONG, Types.PRIMITIVE_ARRAY(Types.DOUBLE));

    private HandWrittenJob() {}

    /** The job from {@code input} (one CSV file, header {@code key,f0,..}) to part files under {@code output}. */
    static void build(StreamExecutionEnvironment env, Path input, Path output) {
        FileSource<String> source = FileSource.forRecordStreamFormat(new TextLineInputFormat(),
                new org.apache.flink.core.fs.Path(input.toUri())).build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "input").setParallelism(1)
                .flatMap(new Rows()).returns(ROW).setParallelism(1) // row numbers in file order: on the one reader
                .keyBy(row -> row.f0, Types.STRING)
                .process(new Standardize(input.getFileName().toString())).returns(Types.STRING)
                .sinkTo(FileSink.forRowFormat(new org.apache.flink.core.fs.Path(output.toUri()),
                        new SimpleStringEncoder<String>()).withBucketAssigner(new BasePathBucketAssigner<>())
                        .withRollingPolicy(OnCheckpointRollingPolicy.build()).build());
    }

    /** {@code key,x0,..} → (key, row number from 0, features); the first line is the header. */
    private static final class Rows implements FlatMapFunction<String, Tuple3<String, Long, double[]>> {
        private static final long serialVersionUID = 1L;
        private long seq = -1;

        @Override
        public void flatMap(String line, Collector<Tuple3<String, Long, double[]>> out) {
            if (seq++ < 0) {
                return;
            }
            String[] cells = line.split(",");
            double[] x = new double[cells.length - 1];
            for (int j = 0; j < x.length; j++) {
                x[j] = Double.parseDouble(cells[j + 1]);
            }
            out.collect(Tuple3.of(cells[0], seq - 1, x));
        }
    }

    /** Welford per key in one {@code ValueState<double[]>}, each row's z-scores as a JSON line. */
    private static final class Standardize extends KeyedProcessFunction<String, Tuple3<String, Long, double[]>, String> {
        private static final long serialVersionUID = 1L;
        private final String source;
        private transient ValueState<double[]> welford;
        private transient ObjectMapper json;

        Standardize(String source) {
            this.source = source;
        }

        @Override
        public void open(OpenContext context) {
            welford = getRuntimeContext().getState(
                    new ValueStateDescriptor<>("welford", DoublePrimitiveArraySerializer.INSTANCE));
            json = new ObjectMapper();
        }

        @Override
        public void processElement(Tuple3<String, Long, double[]> row, Context ctx, Collector<String> out)
                throws Exception {
            double[] z = HandWrittenStandardize.standardize(welford, row.f2);
            ObjectNode line = json.createObjectNode().put("key", row.f0).put("source", source).put("seq", row.f1);
            ArrayNode output = line.putArray("output");
            for (double v : z) {
                output.add(v);
            }
            out.collect(json.writeValueAsString(line));
        }
    }
}

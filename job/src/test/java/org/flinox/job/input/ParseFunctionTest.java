package org.flinox.job.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.OutputTag;
import org.flinox.operators.DeadLetter;
import org.flinox.operators.FeatureRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ParseFunctionTest {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension();

    @Test
    void acceptedRecordsGoDownstreamAndRejectedOnesToTheSideOutputWithoutFailingTheJob()
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false); // records and dead letters without Kryo
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        OutputTag<DeadLetter> dead = new OutputTag<>("dead-letters") {};

        DataStream<RawLine> lines = env.fromData(
                new RawLine("in.csv", 0, "u1,1,2", "k,a,b"),
                new RawLine("in.csv", 1, "u1,x,2", "k,a,b"),
                new RawLine("in.csv", 2, "", "k,a,b"),
                new RawLine("in.csv", 3, "u2,3,4", "k,a,b"));
        SingleOutputStreamOperator<FeatureRecord> parsed = lines.process(
                new ParseFunction(new RecordParser(InputFormat.CSV, "k", List.of("a", "b")), dead));

        DataStream<String> accepted = parsed.map(r -> "ok " + r.key() + " " + r.seq() + " "
                + r.features()[0] + "," + r.features()[1]).returns(Types.STRING);
        DataStream<String> rejected = parsed.getSideOutput(dead)
                .map(d -> "dead " + d.seq() + " " + d.reason()).returns(Types.STRING);

        List<String> out = new ArrayList<>();
        try (CloseableIterator<String> it = accepted.union(rejected).executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        assertThat(out).containsExactlyInAnyOrder(
                "ok u1 0 1.0,2.0", "dead 1 NON_NUMERIC", "dead 2 EMPTY", "ok u2 3 3.0,4.0");
    }
}

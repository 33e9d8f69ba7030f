package org.example.datastream;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.util.ParameterTool;
import org.flinox.nn.Standardize;
import org.flinox.operators.Flinox;
import org.flinox.operators.ModelFactory;
import org.flinox.operators.ModelSettings;
import org.flinox.operators.ModelStream;

/**
 * Per-sensor z-scores of temperature and humidity, in a DataStream job of one's own: CSV lines
 * {@code id,sensor,temperature,humidity} from a watched directory → readings → keyed by sensor
 * → a Flinox {@code standardize} model (each sensor's running mean and variance in Flink keyed
 * state) → {@code id,sensor,z_temperature,z_humidity} lines, exactly once; readings the model
 * cannot use (a value that is not a finite number) → {@code id,reason,detail} lines.
 *
 * <pre>flink run -d target/datastream-job.jar --input /data/in --output /data/out \
 *     [--dead-letters /data/out-dead-letters] [--checkpoint-interval 1000]</pre>
 */
public final class SensorJob {

    public static void main(String[] args) throws Exception {
        ParameterTool params = ParameterTool.fromArgs(args);
        String output = params.getRequired("output");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(params.getLong("checkpoint-interval", 1000));

        FileSource<String> lines = FileSource.forRecordStreamFormat(new TextLineInputFormat(),
                new Path(params.getRequired("input"))).monitorContinuously(Duration.ofMillis(500)).build();
        DataStream<Reading> readings = env.fromSource(lines, WatermarkStrategy.noWatermarks(), "lines").uid("lines")
                .setParallelism(1) // one reader, files in the order they arrive
                .filter(line -> !line.isBlank() && !line.startsWith("id,")).uid("data-lines").setParallelism(1)
                .map(Reading::parse).uid("readings").setParallelism(1);

        ModelFactory model = ModelFactory.of("sensors", 2, () -> Standardize.create(2));
        ModelStream<Reading> scored = Flinox.apply(readings.keyBy(Reading::sensor, Types.STRING), model,
                r -> new double[] {r.temperature(), r.humidity()}, ModelSettings.defaults());

        scored.outputs()
                .map(o -> o.input().id() + "," + o.input().sensor() + "," + o.output()[0] + "," + o.output()[1])
                .returns(Types.STRING).uid("output-lines")
                .sinkTo(lineSink(output)).uid("outputs");
        scored.deadLetters()
                .map(d -> d.input().id() + "," + d.reason() + "," + d.detail().replace('\n', ' '))
                .returns(Types.STRING).uid("dead-letter-lines")
                .sinkTo(lineSink(params.get("dead-letters", output + "-dead-letters"))).uid("dead-letters");

        env.execute("sensor z-scores");
    }

    /** Text lines into part files, committed on checkpoints. */
    private static FileSink<String> lineSink(String dir) {
        return FileSink.forRowFormat(new Path(dir), new SimpleStringEncoder<String>("UTF-8"))
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withRollingPolicy(OnCheckpointRollingPolicy.build()).build();
    }
}

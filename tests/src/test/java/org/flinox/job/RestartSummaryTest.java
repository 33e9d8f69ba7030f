package org.flinox.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.flinox.operators.FeatureRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run in which a task failed and the job restarted says so in its summary, with how often and
 * the cause, instead of a plain "done".
 */
class RestartSummaryTest {
    @TempDir
    Path dir;

    @Test
    void aRunThatRestartedSaysHowOftenAndWhy() throws Exception {
        List<String> lines = new ArrayList<>(List.of("id,x"));
        for (int i = 0; i < 2000; i++) {
            lines.add("k" + (i % 5) + "," + i);
        }
        Path in = Files.write(dir.resolve("in.csv"), lines);
        JobSettings s = JobRunner.settings("--input", in.toString(), "--key", "id", "--output",
                dir.resolve("out").toString(), "--checkpoint-interval", "100", "--parallelism", "1");
        StreamExecutionEnvironment env = JobRunner.environment(s);
        FailOnce.LEFT.set(1);
        JobPipeline.build(env, s, records -> records.map(new FailOnce()).setParallelism(1).name("fail once"));
        TaskFailures.reset();
        JobExecutionResult result = env.execute("restart summary");

        RunSummary summary = RunSummary.of(result.getAllAccumulatorResults(), Duration.ofSeconds(1));
        assertThat(summary.restarts()).isEqualTo(1);
        assertThat(summary.outputs()).isEqualTo(2000);
        assertThat(summary.render(s)).contains("  restarts:     1 (a task failed")
                .contains("IllegalStateException: injected failure at in.csv#1000");
    }

    /** Throws once, at the record of seq 1000 (a static count: it survives the restart). */
    static final class FailOnce implements MapFunction<FeatureRecord, FeatureRecord> {
        static final AtomicInteger LEFT = new AtomicInteger();

        @Override
        public FeatureRecord map(FeatureRecord r) {
            if (r.seq() == 1000 && LEFT.getAndDecrement() > 0) {
                throw new IllegalStateException("injected failure at " + r.source() + "#" + r.seq());
            }
            return r;
        }
    }
}

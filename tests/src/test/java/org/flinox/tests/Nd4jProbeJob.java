package org.flinox.tests;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A short Flink job that makes every parallel instance load ND4J and run a native matmul,
 * then prints one line per instance: {@code ND4J-PROBE pid=... systemLoader=... nd4j=...
 * backend=... product=...}. {@link LocalClusterEndToEndTest} submits it twice, with the
 * Flinox jar (which bundles its own ND4J) as the job jar, to check that ND4J comes from the
 * cluster's {@code lib/} (parent-first) and is initialised once per TaskManager JVM: the same
 * {@code Nd4j} class and backend object in both jobs, and no {@code UnsatisfiedLinkError}.
 * Not a test itself: it runs on the cluster.
 */
public final class Nd4jProbeJob {

    private Nd4jProbeJob() {}

    public static void main(String[] args) throws Exception {
        int parallelism = Integer.parseInt(args[0]);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        List<String> reports = new ArrayList<>();
        // One reader, then round robin, so that every parallel instance of the probe gets elements.
        try (CloseableIterator<String> it = env.fromSequence(0, 20L * parallelism).setParallelism(1)
                .rebalance().map(new Probe()).executeAndCollect()) {
            it.forEachRemaining(reports::add);
        }
        reports.stream().distinct().sorted().forEach(r -> System.out.println("ND4J-PROBE " + r));
    }

    /** Loads ND4J in {@link #open} and reports where it came from for every element. */
    static final class Probe extends RichMapFunction<Long, String> {
        private transient String report;

        @Override
        public void open(OpenContext openContext) {
            INDArray a = Nd4j.create(new double[][] {{1, 2}, {3, 4}});
            INDArray b = Nd4j.create(new double[][] {{5, 6}, {7, 8}});
            double[] product = a.mmul(b).data().asDouble(); // [[19, 22], [43, 50]] in native code
            report = "pid=" + ProcessHandle.current().pid()
                    + " systemLoader=" + (Nd4j.class.getClassLoader() == ClassLoader.getSystemClassLoader())
                    + " nd4j=" + System.identityHashCode(Nd4j.class)
                    + " backend=" + System.identityHashCode(Nd4j.getBackend())
                    + " product=" + (long) product[0] + "," + (long) product[1] + "," + (long) product[2] + ","
                    + (long) product[3];
        }

        @Override
        public String map(Long value) {
            return report;
        }
    }
}

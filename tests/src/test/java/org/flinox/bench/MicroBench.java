package org.flinox.bench;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.base.array.DoublePrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.flinox.nn.DType;
import org.flinox.nn.MLP;
import org.flinox.nn.Module;
import org.flinox.nn.Result;
import org.flinox.nn.Standardize;
import org.flinox.nn.State;
import org.flinox.nn.StateExport;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** B4: a forward pass alone against plain loops, and the state serializer alone; ns per call. */
final class MicroBench {
    private static final int INPUTS = 1024;
    private static final double[][] X = new double[INPUTS][];

    static {
        for (int i = 0; i < INPUTS; i++) {
            X[i] = Workload.features(i);
        }
    }

    private final Report out;
    private double sink; // consumed results, so the JIT cannot drop the work

    MicroBench(Report out) {
        this.out = out;
    }

    void run() throws Exception {
        out.line("## B4 micro: forward pass per record (ns/record, median of alternating runs)");
        out.line("");
        out.row("case", "plain-loop reference", "Flinox per-record path", "ratio (MLP target ≤ 1.5)",
                "ND4J batched path, one record", "ratio");
        out.row("---", "---", "---", "---", "---", "---");
        forward("Standardize(16), cumulative", StateExport.exportState(Standardize.create(16)),
                plainWelford(), 2_000_000, 2_000);
        forward("seed MLP 16→64→64→3", StateExport.exportState(BenchModels.mlp(64)), plainMlp(64), 300_000, 1_000);
        forward("MLP 16→256→256→3", StateExport.exportState(BenchModels.mlp(256)), plainMlp(256), 30_000, 500);
        out.line("");
        batched();
        serializer();
    }

    private void forward(String name, StateExport.Exported<? extends Module> exported, Runnable plain,
            int iterations, int ndIterations) throws Exception {
        Module m = exported.module();
        State initial = exported.state();
        Alternating a = new Alternating()
                .add("plain " + name, () -> time(plain, iterations))
                .add("flinox " + name, () -> time(perRecord(m, initial), iterations))
                .add("nd4j " + name, () -> time(ndPerRecord(m, initial), ndIterations))
                .run(5);
        double p = a.median("plain " + name);
        double f = a.median("flinox " + name);
        double n = a.median("nd4j " + name);
        out.row(name, ns(p), ns(f), Report.ratio(f / p), ns(n), Report.ratio(n / p));
    }

    /** Batched ND4J over many keys' rows, per record, against the per-record loops: does batching pay? */
    private void batched() throws Exception {
        out.line("### B4 batching: one ND4J forward over B keys' stacked states, per record (ns/record)");
        out.line("");
        out.row("model", "B", "per-record path", "batched forward", "stack + unstack", "batched total / per-record");
        out.row("---", "---", "---", "---", "---", "---");
        for (int hidden : new int[] {64, 256}) {
            StateExport.Exported<MLP> e = StateExport.exportState(BenchModels.mlp(hidden));
            for (int b : new int[] {64, 256}) {
                List<State> states = new ArrayList<>();
                for (int i = 0; i < b; i++) {
                    states.add(e.state());
                }
                double[] xs = new double[b * 16];
                for (int i = 0; i < b; i++) {
                    System.arraycopy(X[i], 0, xs, i * 16, 16);
                }
                INDArray x = Nd4j.create(xs, new long[] {b, 16}, DType.FLOAT32.nd4j());
                State stacked = State.stack(states);
                int iters = hidden == 64 ? 200 : 50;
                Alternating a = new Alternating()
                        .add("per-record", () -> time(perRecord(e.module(), e.state()), 20_000))
                        .add("forward", () -> time(() -> sink += e.module().forward(x, stacked).output()
                                .getDouble(0), iters) / b)
                        .add("stack", () -> time(() -> sink += State.stack(states).unstack().size(), iters) / b)
                        .run(5);
                double batchedTotal = a.median("forward") + a.median("stack");
                out.row("MLP hidden " + hidden, b, ns(a.median("per-record")), ns(a.median("forward")),
                        ns(a.median("stack")), Report.ratio(batchedTotal / a.median("per-record")));
            }
        }
        out.line("");
    }

    private void serializer() throws Exception {
        out.line("### B4 state serializer: one key's state written and read back (ns/value)");
        out.line("");
        out.row("value", "bytes", "write + read (ns)");
        out.row("---", "---", "---");
        State standardize = org.flinox.nn.StateExport.exportState(org.flinox.nn.Standardize.create(16)).state();
        org.flinox.operators.StateSerializer ss = new org.flinox.operators.StateSerializer("bench", standardize, java.util.Set.of());
        double[] packed = PlainWelford.init(16);
        DataOutputSerializer buf = new DataOutputSerializer(512);
        DataInputDeserializer in = new DataInputDeserializer();
        Alternating a = new Alternating()
                .add("packed", () -> time(() -> {
                    try {
                        buf.clear();
                        ss.serialize(standardize, buf);
                        in.setBuffer(buf.getSharedBuffer(), 0, buf.length());
                        sink += ss.deserialize(in).size();
                    } catch (java.io.IOException e) {
                        throw new RuntimeException(e);
                    }
                }, 2_000_000))
                .add("double[33]", () -> time(() -> {
                    try {
                        buf.clear();
                        DoublePrimitiveArraySerializer.INSTANCE.serialize(packed, buf);
                        in.setBuffer(buf.getSharedBuffer(), 0, buf.length());
                        sink += DoublePrimitiveArraySerializer.INSTANCE.deserialize(in)[0];
                    } catch (java.io.IOException e) {
                        throw new RuntimeException(e);
                    }
                }, 2_000_000))
                .run(5);
        buf.clear();
        ss.serialize(standardize, buf);
        out.row("Standardize(16) State: .count, .m2[16], .mean[16] (StateSerializer, packed)", buf.length(),
                ns(a.median("packed")));
        buf.clear();
        DoublePrimitiveArraySerializer.INSTANCE.serialize(packed, buf);
        out.row("double[33] (Flink's DoublePrimitiveArraySerializer, the hand-written state)", buf.length(),
                ns(a.median("double[33]")));
        out.line("");
    }


    private Runnable perRecord(Module m, State initial) {
        State[] s = {initial};
        int[] i = {0};
        return () -> {
            Result<double[]> r = m.forward(X[i[0]++ & (INPUTS - 1)], s[0]);
            s[0] = r.state();
            sink += r.output()[0];
        };
    }

    private Runnable ndPerRecord(Module m, State initial) {
        State[] s = {initial};
        int[] i = {0};
        return () -> {
            INDArray x = Nd4j.create(X[i[0]++ & (INPUTS - 1)], new long[] {16}, DType.FLOAT32.nd4j());
            Result<INDArray> r = m.forward(x, s[0]);
            s[0] = r.state();
            sink += r.output().getDouble(0);
        };
    }

    private Runnable plainWelford() {
        double[] s = PlainWelford.init(16);
        double[] z = new double[16];
        int[] i = {0};
        return () -> {
            PlainWelford.update(s, X[i[0]++ & (INPUTS - 1)], z);
            sink += z[0];
        };
    }

    private Runnable plainMlp(int hidden) {
        PlainMlp p = new PlainMlp(BenchModels.mlp(hidden));
        double[] s = p.init();
        double[] y = new double[p.out()];
        int[] i = {0};
        return () -> {
            p.forward(s, X[i[0]++ & (INPUTS - 1)], y);
            sink += y[0];
        };
    }

    /** ns per call of {@code op} over {@code n} calls. */
    private static double time(Runnable op, int n) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            op.run();
        }
        return (System.nanoTime() - start) / (double) n;
    }

    private static String ns(double v) {
        return v >= 100 ? String.format("%,.0f", v) : String.format("%.1f", v);
    }
}

package org.flinox.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.base.array.DoublePrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.flinox.nn.Activation;
import org.flinox.nn.DType;
import org.flinox.nn.GRUCell;
import org.flinox.nn.LSTMCell;
import org.flinox.nn.LayerNorm;
import org.flinox.nn.Linear;
import org.flinox.nn.MLP;
import org.flinox.nn.Module;
import org.flinox.nn.Result;
import org.flinox.nn.Rng;
import org.flinox.nn.Sequential;
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

    /** The sections {@code -Dbench.b4} names (default: all): perRecord, others, batching, serializer. */
    private static boolean section(String name) {
        String only = System.getProperty("bench.b4", "");
        return only.isEmpty() || List.of(only.split(",")).contains(name);
    }

    void run() throws Exception {
        if (section("perRecord")) {
            perRecordTable();
        }
        if (section("others")) {
            otherModules();
        }
        if (section("batching")) {
            batched();
        }
        if (section("serializer")) {
            serializer();
        }
    }

    private void perRecordTable() throws Exception {
        out.line("## B4 micro: forward pass per record (CPU ns/record of the thread, median of alternating runs)");
        out.line("");
        out.row("case", "plain-loop reference", "Flinox per-record path", "ratio (MLP target ≤ 1.5)",
                "ND4J batched path, one record", "ratio");
        out.row("---", "---", "---", "---", "---", "---");
        forward("Standardize(16), cumulative", StateExport.exportState(Standardize.create(16)),
                plainWelford(), 2_000_000, 2_000);
        forward("seed MLP 16→64→64→3", StateExport.exportState(BenchModels.mlp(64)), plainMlp(64), 300_000, 1_000);
        forward("MLP 16→256→256→3", StateExport.exportState(BenchModels.mlp(256)), plainMlp(256), 30_000, 500);
        out.line("");
    }

    /**
     * The per-record path of the other built-ins, which have no plain-loop reference of their
     * own: each against the plain seed-MLP loop timed in the same alternation, a yardstick the
     * machine's load moves as much as it moves them.
     */
    private void otherModules() throws Exception {
        out.line("### B4 per record, the other built-ins (CPU ns/record; ratio to the plain seed-MLP loop of the same run)");
        out.line("");
        out.row("module", "Flinox per-record path", "plain seed MLP", "ratio");
        out.row("---", "---", "---", "---");
        Runnable plain = plainMlp(64);
        for (Map.Entry<String, Module> m : otherModels().entrySet()) {
            StateExport.Exported<Module> e = StateExport.exportState(m.getValue());
            Alternating a = new Alternating()
                    .add("plain seed MLP", () -> cpuTime(plain, 300_000))
                    .add("flinox " + m.getKey(), () -> cpuTime(perRecord(e.module(), e.state()), 300_000))
                    .run(5);
            double p = a.median("plain seed MLP");
            double f = a.median("flinox " + m.getKey());
            out.row(m.getKey(), ns(f), ns(p), Report.ratio(f / p));
        }
        out.line("");
    }

    /** Built-ins besides the MLP and Standardize(16) cumulative, each over the 16 features. */
    private static Map<String, Module> otherModels() {
        Rng rng = new Rng(0);
        Map<String, Module> m = new LinkedHashMap<>();
        m.put("Standardize(16), ema", Standardize.create(16, Standardize.Mode.EMA, 0.9, 1e-5));
        m.put("GRUCell 16→64", GRUCell.create(16, 64, rng.child("gru")));
        m.put("LSTMCell 16→64", LSTMCell.create(16, 64, rng.child("lstm")));
        m.put("LayerNorm(16)", LayerNorm.create(16, true));
        m.put("GELU(16)", new Activation.GELU());
        return m;
    }

    /**
     * Models whose batched path is a candidate for an override, at B = 256 (the most keys a
     * batch gets in B4): does a batched forward of each beat its per-record path?
     */
    private static Map<String, Module> batchCandidates() {
        Rng rng = new Rng(0);
        Map<String, Module> m = new LinkedHashMap<>();
        m.put("Standardize(16), cumulative", Standardize.create(16));
        m.put("Standardize(16), ema", Standardize.create(16, Standardize.Mode.EMA, 0.9, 1e-5));
        m.put("LayerNorm(16)", LayerNorm.create(16, true));
        for (int hidden : new int[] {64, 256}) {
            m.put("GRUCell 16→" + hidden, GRUCell.create(16, hidden, rng.child("gru" + hidden)));
            m.put("LSTMCell 16→" + hidden, LSTMCell.create(16, hidden, rng.child("lstm" + hidden)));
        }
        for (Activation act : new Activation[] {new Activation.GELU(), new Activation.Tanh(), new Activation.LeakyReLU(),
                new Activation.ELU(), new Activation.SiLU(), new Activation.Sigmoid(), new Activation.Softplus(),
                new Activation.Softmax(), new Activation.Identity()}) {
            String name = act.getClass().getSimpleName();
            m.put("16→256→256→3 with " + name, Sequential.of(Linear.create(16, 256, rng.child(name + "1")), act,
                    Linear.create(256, 256, rng.child(name + "2")), act, Linear.create(256, 3, rng.child(name + "3"))));
        }
        return m;
    }

    private void forward(String name, StateExport.Exported<? extends Module> exported, Runnable plain,
            int iterations, int ndIterations) throws Exception {
        Module m = exported.module();
        State initial = exported.state();
        Alternating a = new Alternating()
                .add("plain " + name, () -> cpuTime(plain, iterations))
                .add("flinox " + name, () -> cpuTime(perRecord(m, initial), iterations))
                .add("nd4j " + name, () -> time(ndPerRecord(m, initial), ndIterations))
                .run(5);
        double p = a.median("plain " + name);
        double f = a.median("flinox " + name);
        double n = a.median("nd4j " + name);
        out.row(name, ns(p), ns(f), Report.ratio(f / p), ns(n), Report.ratio(n / p));
    }

    /** Batched ND4J over many keys' rows, per record, against the per-record loops: does batching pay? */
    private void batched() throws Exception {
        out.line("### B4 batching: one batched forward over B keys' stacked states, per record (wall ns/record)");
        out.line("");
        out.row("model", "B", "per-record path", "batched forward", "stack + unstack", "batched total / per-record",
                "the same in CPU time (every thread of the JVM)");
        out.row("---", "---", "---", "---", "---", "---", "---");
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
                        .add("per-record cpu", () -> cpuTime(perRecord(e.module(), e.state()), 20_000))
                        .add("forward+stack cpu", () -> processCpuTime(() -> sink += e.module().forward(x,
                                State.stack(states)).state().unstack().size(), iters) / b)
                        .run(5);
                double batchedTotal = a.median("forward") + a.median("stack");
                out.row("MLP hidden " + hidden, b, ns(a.median("per-record")), ns(a.median("forward")),
                        ns(a.median("stack")), Report.ratio(batchedTotal / a.median("per-record")),
                        Report.ratio(a.median("forward+stack cpu") / a.median("per-record cpu")));
            }
        }
        String only = System.getProperty("bench.b4.models", ""); // a part of the names to run, e.g. "with"
        for (Map.Entry<String, Module> m : batchCandidates().entrySet()) {
            if (m.getKey().contains(only)) {
                batchedRow(m.getKey(), StateExport.exportState(m.getValue()), 256);
            }
        }
        out.line("");
    }

    /** One row of the batching table: {@code b} keys' states stacked, one batched forward over them. */
    private void batchedRow(String name, StateExport.Exported<Module> e, int b) throws Exception {
        List<State> states = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            states.add(e.state());
        }
        double[] xs = new double[b * 16];
        for (int i = 0; i < b; i++) {
            System.arraycopy(X[i], 0, xs, i * 16, 16);
        }
        INDArray x = Nd4j.create(xs, new long[] {b, 16}, DType.FLOAT64.nd4j()); // as KeyedModel.stepBatch builds it
        boolean stateful = e.state().size() > 0;
        State stacked = stateful ? State.stack(states) : e.state();
        Alternating a = new Alternating()
                .add("per-record", () -> time(perRecord(e.module(), e.state()), 20_000))
                .add("forward", () -> time(() -> sink += e.module().forward(x, stacked).output()
                        .getDouble(0), 50) / b)
                .add("stack", () -> stateful ? time(() -> sink += State.stack(states).unstack().size(), 50) / b : 0)
                .add("per-record cpu", () -> cpuTime(perRecord(e.module(), e.state()), 20_000))
                .add("forward+stack cpu", () -> processCpuTime(() -> sink += stateful
                        ? e.module().forward(x, State.stack(states)).state().unstack().size()
                        : e.module().forward(x, stacked).output().getDouble(0), 50) / b)
                .run(5);
        double batchedTotal = a.median("forward") + a.median("stack");
        out.row(name, b, ns(a.median("per-record")), ns(a.median("forward")),
                ns(a.median("stack")), Report.ratio(batchedTotal / a.median("per-record")),
                Report.ratio(a.median("forward+stack cpu") / a.median("per-record cpu")));
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

    /**
     * CPU ns of this thread per call of {@code op} over {@code n} calls: what a single-threaded
     * per-record path costs, whatever else the machine runs meanwhile (wall time is not, on a
     * shared machine).
     */
    private static double cpuTime(Runnable op, int n) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            op.run();
        }
        return (threads.getCurrentThreadCpuTime() - start) / (double) n;
    }

    /** CPU ns of the whole JVM (ND4J's native threads included) per call of {@code op}. */
    private static double processCpuTime(Runnable op, int n) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long start = os.getProcessCpuTime();
        for (int i = 0; i < n; i++) {
            op.run();
        }
        return (os.getProcessCpuTime() - start) / (double) n;
    }

    /** Wall-clock ns per call of {@code op} over {@code n} calls. */
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

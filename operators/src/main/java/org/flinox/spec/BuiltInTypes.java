package org.flinox.spec;

import static org.flinox.spec.Size.mul;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.flinox.nn.DType;
import org.flinox.nn.Module;

/**
 * The module types that come with Flinox, registered in this jar's
 * {@code META-INF/services/org.flinox.spec.ModuleType} as a user's are in theirs. Each is a
 * {@link ModuleType} (its name, its fields, how it reads them) and the record it reads into
 * (how it resolves the width coming in, its size, its module). Sizes that may be left out are
 * {@code null} in the records; {@code build} fills them with the width coming in.
 */
public final class BuiltInTypes {

    private BuiltInTypes() {}

    /** {@code {"type":"standardize","mode":"cumulative"|"ema","momentum":0.9,"eps":1e-5}}. */
    public static final class StandardizeType implements ModuleType {
        @Override
        public String name() {
            return "standardize";
        }

        @Override
        public List<String> fields() {
            return List.of("features", "mode", "momentum", "epsilon", "eps");
        }

        @Override
        public Standardize read(SpecNode f) {
            var mode = org.flinox.nn.Standardize.Mode.CUMULATIVE;
            String m = f.string("mode", null);
            if (m != null) {
                try {
                    mode = org.flinox.nn.Standardize.Mode.parse(m);
                } catch (IllegalArgumentException e) {
                    throw new ModelSpecException(f.at("mode"), e.getMessage());
                }
            }
            if (mode == org.flinox.nn.Standardize.Mode.CUMULATIVE) {
                for (String emaOnly : List.of("momentum", "epsilon", "eps")) {
                    if (f.has(emaOnly)) {
                        throw new ModelSpecException(f.at(emaOnly), "applies to mode ema only; "
                                + "the cumulative mode keeps exact running statistics (set \"mode\": \"ema\")");
                    }
                }
            }
            return new Standardize(f.size("features"), mode,
                    f.fraction("momentum", org.flinox.nn.Standardize.DEFAULT_MOMENTUM),
                    f.nonNegative(f.either("epsilon", "eps"), org.flinox.nn.Standardize.DEFAULT_EPS));
        }
    }

    /** Cumulative: count, mean and m2; ema: first and second moments. */
    public record Standardize(Integer features, org.flinox.nn.Standardize.Mode mode, double momentum, double eps)
            implements ModuleSpec {
        @Override
        public ModelSpec.Built build(SpecTree tree, String path, Width in) {
            int n = SpecTree.inWidth(features, in, path + ".features");
            Size size = mode == org.flinox.nn.Standardize.Mode.CUMULATIVE ? Size.of(1, n, n) : Size.of(n, n);
            return tree.node(path, size, n, () -> org.flinox.nn.Standardize.create(n, mode, momentum, eps));
        }
    }

    /** {@code {"type":"moments","momentum":0.9}}; float32 like inox. */
    public static final class MomentsType implements ModuleType {
        @Override
        public String name() {
            return "moments";
        }

        @Override
        public List<String> fields() {
            return List.of("features", "momentum");
        }

        @Override
        public Moments read(SpecNode f) {
            return new Moments(f.size("features"), f.fraction("momentum", 0.9));
        }
    }

    public record Moments(Integer features, double momentum) implements ModuleSpec {
        @Override
        public ModelSpec.Built build(SpecTree tree, String path, Width in) {
            int n = SpecTree.inWidth(features, in, path + ".features");
            return tree.node(path, Size.of(n, n), n, () -> org.flinox.nn.Moments.create(n, momentum, DType.FLOAT32));
        }
    }

    /** {@code {"type":"linear","in":16,"out":8,"bias":true}}; float32, inox's initialisation; without bias {@code y = x·W}. */
    public static final class LinearType implements ModuleType {
        @Override
        public String name() {
            return "linear";
        }

        @Override
        public List<String> fields() {
            return List.of("in", "out", "bias");
        }

        @Override
        public Linear read(SpecNode f) {
            return new Linear(f.size("in"), f.size("out"), f.bool("bias", true));
        }
    }

    public record Linear(Integer in, Integer out, boolean bias) implements ModuleSpec {
        @Override
        public ModelSpec.Built build(SpecTree tree, String path, Width width) {
            int n = SpecTree.inWidth(in, width, path + ".in");
            int o = out == null ? n : out;
            Size size = bias ? Size.of(mul(n, o), o) : Size.of(mul(n, o));
            return tree.node(path, size, o,
                    () -> org.flinox.nn.Linear.create(n, o, bias, DType.FLOAT32, tree.rng(path)));
        }
    }

    /** {@code {"type":"layernorm","epsilon":1e-5,"affine":false}}; not affine by default, as inox. */
    public static final class LayerNormType implements ModuleType {
        @Override
        public String name() {
            return "layernorm";
        }

        @Override
        public List<String> fields() {
            return List.of("features", "epsilon", "eps", "affine");
        }

        @Override
        public LayerNorm read(SpecNode f) {
            return new LayerNorm(f.size("features"), f.bool("affine", false),
                    f.nonNegative(f.either("epsilon", "eps"), org.flinox.nn.LayerNorm.EPS));
        }
    }

    public record LayerNorm(Integer features, boolean affine, double eps) implements ModuleSpec {
        @Override
        public ModelSpec.Built build(SpecTree tree, String path, Width in) {
            int n = SpecTree.inWidth(features, in, path + ".features");
            return tree.node(path, affine ? Size.of(n, n) : Size.NONE, n,
                    () -> org.flinox.nn.LayerNorm.create(n, affine, eps));
        }
    }

    /**
     * Batch normalization in evaluation mode, {@code {"type":"batchnorm","momentum":0.9,
     * "epsilon":1e-5}}: records are normalized by the running statistics (state entries
     * {@code .stats.mean}, {@code .stats.var}, initial values from the weights file), which
     * it leaves as they are.
     */
    public static final class BatchNormType implements ModuleType {
        @Override
        public String name() {
            return "batchnorm";
        }

        @Override
        public List<String> fields() {
            return List.of("features", "momentum", "epsilon", "eps", "training");
        }

        @Override
        public BatchNorm read(SpecNode f) {
            if (f.bool("training", false)) {
                throw new ModelSpecException(f.at("training"), "true is not supported: per record, a batch is"
                        + " one record, whose batch mean is the record itself and batch variance 0, so the"
                        + " output would always be 0 and the running variance would decay to 0. batchnorm runs"
                        + " in evaluation mode: give the running statistics trained elsewhere as .stats.mean and"
                        + " .stats.var in --weights; for statistics learnt per key from the stream, use"
                        + " {\"type\": \"standardize\", \"mode\": \"ema\"}");
            }
            return new BatchNorm(f.size("features"), f.fraction("momentum", org.flinox.nn.BatchNorm.MOMENTUM),
                    f.nonNegative(f.either("epsilon", "eps"), org.flinox.nn.BatchNorm.EPS));
        }
    }

    /** Running mean and variance. */
    public record BatchNorm(Integer features, double momentum, double eps) implements ModuleSpec {
        @Override
        public ModelSpec.Built build(SpecTree tree, String path, Width in) {
            int n = SpecTree.inWidth(features, in, path + ".features");
            return tree.node(path, Size.of(n, n), n,
                    () -> org.flinox.nn.BatchNorm.create(n, momentum, eps, DType.FLOAT32).withTraining(false));
        }
    }

    /**
     * inox's example MLP, {@code {"type":"mlp","in":16,"out":3,"hidden":64}}: inStats, l1
     * in→hidden, ReLU, l2 hidden→hidden, ReLU, l3 hidden→out, outStats.
     */
    public static final class MlpType implements ModuleType {
        static final int DEFAULT_HIDDEN = 64;

        @Override
        public String name() {
            return "mlp";
        }

        @Override
        public List<String> fields() {
            return List.of("in", "out", "hidden");
        }

        @Override
        public Mlp read(SpecNode f) {
            Integer hidden = f.size("hidden");
            return new Mlp(f.size("in"), f.size("out"), hidden == null ? DEFAULT_HIDDEN : hidden);
        }
    }

    public record Mlp(Integer in, Integer out, int hidden) implements ModuleSpec {
        @Override
        public ModelSpec.Built build(SpecTree tree, String path, Width width) {
            int n = SpecTree.inWidth(in, width, path + ".in");
            int o = out == null ? n : out;
            Size size = Size.of(n, n, mul(n, hidden), hidden, mul(hidden, hidden), hidden, mul(hidden, o), o, o, o);
            return tree.node(path, size, o, () -> org.flinox.nn.MLP.create(n, o, hidden, tree.rng(path)));
        }
    }

    /** A GRU cell whose hidden vector is per-key state: {@code {"type":"gru","hidden":32,"bias":true}}. */
    public static final class GruType implements ModuleType {
        @Override
        public String name() {
            return "gru";
        }

        @Override
        public List<String> fields() {
            return List.of("in", "hidden", "bias");
        }

        @Override
        public Gru read(SpecNode f) {
            return new Gru(f.size("in"), f.size("hidden"), f.bool("bias", true));
        }
    }

    /** Three gates, the hidden state; output width H. */
    public record Gru(Integer in, Integer hidden, boolean bias) implements ModuleSpec {
        @Override
        public ModelSpec.Built build(SpecTree tree, String path, Width width) {
            int n = SpecTree.inWidth(in, width, path + ".in");
            int h = hidden == null ? n : hidden;
            return tree.node(path, Size.recurrent(n, h, 3, 1, bias), h,
                    () -> org.flinox.nn.GRUCell.create(n, h, bias, DType.FLOAT32, tree.rng(path)));
        }
    }

    /** An LSTM cell whose hidden and cell vectors are per-key state: {@code {"type":"lstm","hidden":32}}. */
    public static final class LstmType implements ModuleType {
        @Override
        public String name() {
            return "lstm";
        }

        @Override
        public List<String> fields() {
            return List.of("in", "hidden", "bias");
        }

        @Override
        public Lstm read(SpecNode f) {
            return new Lstm(f.size("in"), f.size("hidden"), f.bool("bias", true));
        }
    }

    /** Four gates, the hidden and cell states; output width H. */
    public record Lstm(Integer in, Integer hidden, boolean bias) implements ModuleSpec {
        @Override
        public ModelSpec.Built build(SpecTree tree, String path, Width width) {
            int n = SpecTree.inWidth(in, width, path + ".in");
            int h = hidden == null ? n : hidden;
            return tree.node(path, Size.recurrent(n, h, 4, 2, bias), h,
                    () -> org.flinox.nn.LSTMCell.create(n, h, bias, DType.FLOAT32, tree.rng(path)));
        }
    }

    /** {@code {"type":"sequential","layers":[...]}}, applied first to last. */
    public static final class SequentialType implements ModuleType {
        @Override
        public String name() {
            return "sequential";
        }

        @Override
        public List<String> fields() {
            return List.of("layers");
        }

        @Override
        public Sequential read(SpecNode f) {
            List<ModuleSpec> layers = f.modules("layers");
            if (layers.isEmpty()) {
                throw new ModelSpecException(f.at("layers"), "is empty; a sequential needs at least one layer");
            }
            return new Sequential(layers);
        }
    }

    public record Sequential(List<ModuleSpec> layers) implements ModuleSpec {
        public Sequential {
            layers = List.copyOf(layers);
        }

        /** Each layer takes the previous layer's output width. */
        @Override
        public ModelSpec.Built build(SpecTree tree, String path, Width in) {
            List<Module> built = new ArrayList<>();
            Width w = in;
            for (int i = 0; i < layers.size(); i++) {
                String p = path + ".layers[" + i + "]";
                ModelSpec.Built b = tree.build(layers.get(i), p, w);
                built.add(b.module());
                w = new Width(b.outputWidth(), "the output width of " + p);
            }
            return tree.node(path, Size.NONE, w.value(), () -> new org.flinox.nn.Sequential(built));
        }

        /** Each layer as its own type describes it. */
        @Override
        public Map<String, Object> describe(Module module) {
            List<Module> modules = ((org.flinox.nn.Sequential) module).layers();
            List<Object> described = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                described.add(layers.get(i).describe(modules.get(i)));
            }
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            out.put("type", module.getClass().getSimpleName());
            out.put("layers", described);
            return out;
        }
    }

    /**
     * An activation by its name in {@link org.flinox.nn.Activation#NAMES}, one type each (a
     * registered type needs a class of its own); the one parameter it takes, if any, under one
     * of its {@link org.flinox.nn.Activation#parameterNames} ({@code alpha}, inox's name, or
     * {@code slope} for {@code leakyrelu}).
     */
    abstract static class ActivationType implements ModuleType {
        private final String name;

        ActivationType(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<String> fields() {
            return org.flinox.nn.Activation.parameterNames(name);
        }

        @Override
        public Activation read(SpecNode f) {
            List<String> spellings = fields();
            if (spellings.isEmpty()) {
                return new Activation(name, null);
            }
            String given = spellings.size() == 1 ? spellings.get(0) : f.either(spellings.get(0), spellings.get(1));
            return new Activation(name, f.finite(given));
        }
    }

    public static final class Identity extends ActivationType {
        public Identity() {
            super("identity");
        }
    }

    public static final class Relu extends ActivationType {
        public Relu() {
            super("relu");
        }
    }

    public static final class LeakyRelu extends ActivationType {
        public LeakyRelu() {
            super("leakyrelu");
        }
    }

    public static final class Elu extends ActivationType {
        public Elu() {
            super("elu");
        }
    }

    public static final class Gelu extends ActivationType {
        public Gelu() {
            super("gelu");
        }
    }

    public static final class Silu extends ActivationType {
        public Silu() {
            super("silu");
        }
    }

    public static final class Tanh extends ActivationType {
        public Tanh() {
            super("tanh");
        }
    }

    public static final class Sigmoid extends ActivationType {
        public Sigmoid() {
            super("sigmoid");
        }
    }

    public static final class Softplus extends ActivationType {
        public Softplus() {
            super("softplus");
        }
    }

    public static final class Softmax extends ActivationType {
        public Softmax() {
            super("softmax");
        }
    }

    /** {@code parameter} is null for the activation's default. */
    public record Activation(String name, Double parameter) implements ModuleSpec {
        public Activation {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public ModelSpec.Built build(SpecTree tree, String path, Width in) {
            return tree.node(path, Size.NONE, in.value(), () -> parameter == null
                    ? org.flinox.nn.Activation.byName(name) : org.flinox.nn.Activation.byName(name, parameter));
        }
    }
}

package org.flinox.job.spec;

import static org.flinox.job.spec.ModelFootprint.mul;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.flinox.job.spec.ModelFootprint.Size;
import org.flinox.job.spec.TreeBuilder.Width;
import org.flinox.nn.DType;

/**
 * One node of a model spec's module tree, as written in JSON: {@code {"type": ..., ...}}.
 * Sizes that may be left out are {@code null} here; {@link #build} fills them with the width
 * coming in. Each type reads itself ({@code parse}: everything that does not depend on the
 * feature count — field names, JSON types, ranges — with the path of what is wrong) and
 * builds itself; {@link ModuleTypes} registers it by its type name.
 */
public sealed interface ModuleSpec {

    /**
     * This node for the width coming in: its input width resolved (an explicit size that
     * contradicts it is an error at its path), its size counted, its module built by
     * {@code tree} (see {@link TreeBuilder}).
     */
    ModelSpec.Built build(TreeBuilder tree, String path, Width in);

    /** {@code {"type":"standardize","mode":"cumulative"|"ema","momentum":0.9,"eps":1e-5}}. */
    record Standardize(Integer features, org.flinox.nn.Standardize.Mode mode, double momentum, double eps)
            implements ModuleSpec {

        static Standardize parse(JsonNode node, String path) {
            Json.Fields f = new Json.Fields(node, path, "type", "features", "mode", "momentum", "epsilon", "eps");
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
                    if (node.has(emaOnly)) {
                        throw new ModelSpecException(f.at(emaOnly), "applies to mode ema only; "
                                + "the cumulative mode keeps exact running statistics (set \"mode\": \"ema\")");
                    }
                }
            }
            return new Standardize(f.size("features"), mode,
                    f.fraction("momentum", org.flinox.nn.Standardize.DEFAULT_MOMENTUM),
                    f.nonNegative(f.either("epsilon", "eps"), org.flinox.nn.Standardize.DEFAULT_EPS));
        }

        /** Cumulative: count, mean and m2; ema: first and second moments. */
        @Override
        public ModelSpec.Built build(TreeBuilder tree, String path, Width in) {
            int n = TreeBuilder.inWidth(features, in, path + ".features");
            Size size = mode == org.flinox.nn.Standardize.Mode.CUMULATIVE ? Size.of(1, n, n) : Size.of(n, n);
            return tree.node(path, size, n, () -> org.flinox.nn.Standardize.create(n, mode, momentum, eps));
        }
    }

    /** {@code {"type":"moments","momentum":0.9}}; float32 like inox. */
    record Moments(Integer features, double momentum) implements ModuleSpec {

        static Moments parse(JsonNode node, String path) {
            Json.Fields f = new Json.Fields(node, path, "type", "features", "momentum");
            return new Moments(f.size("features"), f.fraction("momentum", 0.9));
        }

        @Override
        public ModelSpec.Built build(TreeBuilder tree, String path, Width in) {
            int n = TreeBuilder.inWidth(features, in, path + ".features");
            return tree.node(path, Size.of(n, n), n, () -> org.flinox.nn.Moments.create(n, momentum, DType.FLOAT32));
        }
    }

    /** {@code {"type":"linear","in":16,"out":8,"bias":true}}; float32, inox's initialisation; without bias {@code y = x·W}. */
    record Linear(Integer in, Integer out, boolean bias) implements ModuleSpec {

        static Linear parse(JsonNode node, String path) {
            Json.Fields f = new Json.Fields(node, path, "type", "in", "out", "bias");
            return new Linear(f.size("in"), f.size("out"), f.bool("bias", true));
        }

        @Override
        public ModelSpec.Built build(TreeBuilder tree, String path, Width width) {
            int n = TreeBuilder.inWidth(in, width, path + ".in");
            int o = out == null ? n : out;
            Size size = bias ? Size.of(mul(n, o), o) : Size.of(mul(n, o));
            return tree.node(path, size, o,
                    () -> org.flinox.nn.Linear.create(n, o, bias, DType.FLOAT32, tree.rng(path)));
        }
    }

    /** {@code {"type":"layernorm","epsilon":1e-5,"affine":false}}; not affine by default, as inox. */
    record LayerNorm(Integer features, boolean affine, double eps) implements ModuleSpec {

        static LayerNorm parse(JsonNode node, String path) {
            Json.Fields f = new Json.Fields(node, path, "type", "features", "epsilon", "eps", "affine");
            return new LayerNorm(f.size("features"), f.bool("affine", false),
                    f.nonNegative(f.either("epsilon", "eps"), org.flinox.nn.LayerNorm.EPS));
        }

        @Override
        public ModelSpec.Built build(TreeBuilder tree, String path, Width in) {
            int n = TreeBuilder.inWidth(features, in, path + ".features");
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
    record BatchNorm(Integer features, double momentum, double eps) implements ModuleSpec {

        static BatchNorm parse(JsonNode node, String path) {
            Json.Fields f = new Json.Fields(node, path, "type", "features", "momentum", "epsilon", "eps", "training");
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

        /** Running mean and variance. */
        @Override
        public ModelSpec.Built build(TreeBuilder tree, String path, Width in) {
            int n = TreeBuilder.inWidth(features, in, path + ".features");
            return tree.node(path, Size.of(n, n), n,
                    () -> org.flinox.nn.BatchNorm.create(n, momentum, eps, DType.FLOAT32).withTraining(false));
        }
    }

    /**
     * inox's example MLP, {@code {"type":"mlp","in":16,"out":3,"hidden":64}}: inStats, l1
     * in→hidden, ReLU, l2 hidden→hidden, ReLU, l3 hidden→out, outStats.
     */
    record Mlp(Integer in, Integer out, int hidden) implements ModuleSpec {

        static final int DEFAULT_HIDDEN = 64;

        static Mlp parse(JsonNode node, String path) {
            Json.Fields f = new Json.Fields(node, path, "type", "in", "out", "hidden");
            Integer hidden = f.size("hidden");
            return new Mlp(f.size("in"), f.size("out"), hidden == null ? DEFAULT_HIDDEN : hidden);
        }

        @Override
        public ModelSpec.Built build(TreeBuilder tree, String path, Width width) {
            int n = TreeBuilder.inWidth(in, width, path + ".in");
            int o = out == null ? n : out;
            Size size = Size.of(n, n, mul(n, hidden), hidden, mul(hidden, hidden), hidden, mul(hidden, o), o, o, o);
            return tree.node(path, size, o, () -> org.flinox.nn.MLP.create(n, o, hidden, tree.rng(path)));
        }
    }

    /** A GRU cell whose hidden vector is per-key state: {@code {"type":"gru","hidden":32,"bias":true}}. */
    record Gru(Integer in, Integer hidden, boolean bias) implements ModuleSpec {

        static Gru parse(JsonNode node, String path) {
            Json.Fields f = new Json.Fields(node, path, "type", "in", "hidden", "bias");
            return new Gru(f.size("in"), f.size("hidden"), f.bool("bias", true));
        }

        /** Three gates, the hidden state; output width H. */
        @Override
        public ModelSpec.Built build(TreeBuilder tree, String path, Width width) {
            int n = TreeBuilder.inWidth(in, width, path + ".in");
            int h = hidden == null ? n : hidden;
            return tree.node(path, Size.recurrent(n, h, 3, 1, bias), h,
                    () -> org.flinox.nn.GRUCell.create(n, h, bias, DType.FLOAT32, tree.rng(path)));
        }
    }

    /** An LSTM cell whose hidden and cell vectors are per-key state: {@code {"type":"lstm","hidden":32}}. */
    record Lstm(Integer in, Integer hidden, boolean bias) implements ModuleSpec {

        static Lstm parse(JsonNode node, String path) {
            Json.Fields f = new Json.Fields(node, path, "type", "in", "hidden", "bias");
            return new Lstm(f.size("in"), f.size("hidden"), f.bool("bias", true));
        }

        /** Four gates, the hidden and cell states; output width H. */
        @Override
        public ModelSpec.Built build(TreeBuilder tree, String path, Width width) {
            int n = TreeBuilder.inWidth(in, width, path + ".in");
            int h = hidden == null ? n : hidden;
            return tree.node(path, Size.recurrent(n, h, 4, 2, bias), h,
                    () -> org.flinox.nn.LSTMCell.create(n, h, bias, DType.FLOAT32, tree.rng(path)));
        }
    }

    /** {@code {"type":"sequential","layers":[...]}}, applied first to last. */
    record Sequential(List<ModuleSpec> layers) implements ModuleSpec {
        public Sequential {
            layers = List.copyOf(layers);
        }

        static Sequential parse(JsonNode node, String path) {
            Json.Fields f = new Json.Fields(node, path, "type", "layers");
            JsonNode layers = f.required("layers");
            if (!layers.isArray()) {
                throw new ModelSpecException(f.at("layers"), "expected an array of modules, got "
                        + Json.describe(layers));
            }
            if (layers.isEmpty()) {
                throw new ModelSpecException(f.at("layers"), "is empty; a sequential needs at least one layer");
            }
            List<ModuleSpec> parsed = new ArrayList<>();
            Iterator<JsonNode> it = layers.elements();
            for (int i = 0; it.hasNext(); i++) {
                parsed.add(ModuleTypes.parse(it.next(), f.at("layers") + "[" + i + "]"));
            }
            return new Sequential(parsed);
        }

        /** Each layer takes the previous layer's output width. */
        @Override
        public ModelSpec.Built build(TreeBuilder tree, String path, Width in) {
            List<org.flinox.nn.Module> built = new ArrayList<>();
            Width w = in;
            for (int i = 0; i < layers.size(); i++) {
                String p = path + ".layers[" + i + "]";
                ModelSpec.Built b = tree.build(layers.get(i), p, w);
                built.add(b.module());
                w = new Width(b.outputWidth(), "the output width of " + p);
            }
            return tree.node(path, Size.NONE, w.value(), () -> new org.flinox.nn.Sequential(built));
        }
    }

    /**
     * An activation by its name in {@link org.flinox.nn.Activation#NAMES}; {@code parameter}
     * is the one it takes under one of its {@link org.flinox.nn.Activation#parameterNames}
     * ({@code alpha}, inox's name, or {@code slope} for {@code leakyrelu}), or null for its default.
     */
    record Activation(String name, Double parameter) implements ModuleSpec {
        public Activation {
            Objects.requireNonNull(name, "name");
        }

        static Activation parse(String name, JsonNode node, String path) {
            List<String> spellings = org.flinox.nn.Activation.parameterNames(name);
            List<String> fields = new ArrayList<>(List.of("type"));
            fields.addAll(spellings);
            Json.Fields f = new Json.Fields(node, path, fields.toArray(String[]::new));
            if (spellings.isEmpty()) {
                return new Activation(name, null);
            }
            String given = spellings.size() == 1 ? spellings.get(0) : f.either(spellings.get(0), spellings.get(1));
            return new Activation(name, f.finite(given));
        }

        @Override
        public ModelSpec.Built build(TreeBuilder tree, String path, Width in) {
            return tree.node(path, Size.NONE, in.value(), () -> parameter == null
                    ? org.flinox.nn.Activation.byName(name) : org.flinox.nn.Activation.byName(name, parameter));
        }
    }
}

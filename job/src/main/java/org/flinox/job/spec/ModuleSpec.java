package org.flinox.job.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One node of a model spec's module tree, as written in JSON: {@code {"type": ..., ...}}.
 * Sizes that may be left out are {@code null} here; {@link ModelSpec#build} fills them
 * with the width coming in. Parsing checks everything that does not depend on the feature
 * count (types, field names, JSON types, ranges) and names the path of what is wrong.
 */
public sealed interface ModuleSpec {

    /** The spec's {@code type}. */
    String type();

    /** {@code {"type":"standardize","mode":"cumulative"|"ema","momentum":0.9,"eps":1e-5}}. */
    record Standardize(Integer features, org.flinox.nn.Standardize.Mode mode, double momentum, double eps)
            implements ModuleSpec {
        public String type() {
            return "standardize";
        }
    }

    /** {@code {"type":"moments","momentum":0.9}}; float32 like inox. */
    record Moments(Integer features, double momentum) implements ModuleSpec {
        public String type() {
            return "moments";
        }
    }

    /** {@code {"type":"linear","in":16,"out":8,"bias":true}}; float32, inox's initialisation. */
    record Linear(Integer in, Integer out, boolean bias) implements ModuleSpec {
        public String type() {
            return "linear";
        }
    }

    /** {@code {"type":"layernorm","epsilon":1e-5,"affine":false}}; not affine by default, as inox. */
    record LayerNorm(Integer features, boolean affine, double eps) implements ModuleSpec {
        public String type() {
            return "layernorm";
        }
    }

    /** inox's example MLP: {@code {"type":"mlp","in":16,"out":3,"hidden":64}}. */
    record Mlp(Integer in, Integer out, int hidden) implements ModuleSpec {
        public String type() {
            return "mlp";
        }
    }

    /** A GRU cell whose hidden vector is per-key state: {@code {"type":"gru","hidden":32,"bias":true}}. */
    record Gru(Integer in, Integer hidden, boolean bias) implements ModuleSpec {
        public String type() {
            return "gru";
        }
    }

    /** An LSTM cell whose hidden and cell vectors are per-key state: {@code {"type":"lstm","hidden":32}}. */
    record Lstm(Integer in, Integer hidden, boolean bias) implements ModuleSpec {
        public String type() {
            return "lstm";
        }
    }

    /**
     * Batch normalization in evaluation mode, {@code {"type":"batchnorm","momentum":0.9,
     * "epsilon":1e-5}}: records are normalized by the running statistics (state entries
     * {@code .stats.mean}, {@code .stats.var}, initial values from the weights file).
     */
    record BatchNorm(Integer features, double momentum, double eps) implements ModuleSpec {
        public String type() {
            return "batchnorm";
        }
    }

    /** {@code {"type":"sequential","layers":[...]}}, applied first to last. */
    record Sequential(List<ModuleSpec> layers) implements ModuleSpec {
        public Sequential {
            layers = List.copyOf(layers);
        }

        public String type() {
            return "sequential";
        }
    }

    /**
     * An activation by its lower-case name; {@code parameter} is {@code alpha} (inox's name;
     * {@code slope} is accepted too) for {@code leakyrelu}, {@code alpha} for {@code elu},
     * and null for the module's default.
     */
    record Activation(String name, Double parameter) implements ModuleSpec {
        public Activation {
            Objects.requireNonNull(name, "name");
        }

        public String type() {
            return name;
        }
    }

    int DEFAULT_MLP_HIDDEN = 64;

    /** Activation names, and the one optional parameter of those that take one. */
    Map<String, String> ACTIVATIONS = Map.of("identity", "", "relu", "", "leakyrelu", "alpha", "elu", "alpha",
            "gelu", "", "silu", "", "tanh", "", "sigmoid", "", "softplus", "", "softmax", "");

    /** Parses the node at {@code path} ({@code module}, {@code module.layers[1]}, ...). */
    static ModuleSpec parse(JsonNode node, String path) {
        if (!node.isObject()) {
            throw new ModelSpecException(path, "expected a module object {\"type\": ...}, got " + Json.describe(node));
        }
        JsonNode typeNode = node.get("type");
        if (typeNode == null) {
            throw new ModelSpecException(path + ".type", "missing; expected one of " + String.join(", ", types()));
        }
        if (!typeNode.isTextual()) {
            throw new ModelSpecException(path + ".type", "expected a string, got " + Json.describe(typeNode));
        }
        String type = typeNode.textValue();
        Json.Fields f = switch (type) {
            case "standardize" -> new Json.Fields(node, path, "type", "features", "mode", "momentum", "epsilon", "eps");
            case "moments" -> new Json.Fields(node, path, "type", "features", "momentum");
            case "linear" -> new Json.Fields(node, path, "type", "in", "out", "bias");
            case "layernorm" -> new Json.Fields(node, path, "type", "features", "epsilon", "eps", "affine");
            case "mlp" -> new Json.Fields(node, path, "type", "in", "out", "hidden");
            case "gru", "lstm" -> new Json.Fields(node, path, "type", "in", "hidden", "bias");
            case "batchnorm" -> new Json.Fields(node, path, "type", "features", "momentum", "epsilon", "eps",
                    "training");
            case "leakyrelu" -> new Json.Fields(node, path, "type", "alpha", "slope");
            case "sequential" -> new Json.Fields(node, path, "type", "layers");
            default -> {
                String parameter = ACTIVATIONS.get(type);
                if (parameter == null) {
                    throw new ModelSpecException(path + ".type", "unknown type '" + type + "'"
                            + Json.suggestion(type, types()) + "; expected one of " + String.join(", ", types()));
                }
                yield parameter.isEmpty() ? new Json.Fields(node, path, "type")
                        : new Json.Fields(node, path, "type", parameter);
            }
        };
        return switch (type) {
            case "standardize" -> {
                var mode = org.flinox.nn.Standardize.Mode.CUMULATIVE;
                String m = f.string("mode", null);
                if (m != null) {
                    switch (m) {
                        case "cumulative" -> mode = org.flinox.nn.Standardize.Mode.CUMULATIVE;
                        case "ema" -> mode = org.flinox.nn.Standardize.Mode.EMA;
                        default -> throw new ModelSpecException(path + ".mode",
                                "unknown mode '" + m + "'; expected cumulative or ema");
                    }
                }
                if (mode == org.flinox.nn.Standardize.Mode.CUMULATIVE) {
                    for (String emaOnly : List.of("momentum", "epsilon", "eps")) {
                        if (node.has(emaOnly)) {
                            throw new ModelSpecException(path + "." + emaOnly, "applies to mode ema only; "
                                    + "the cumulative mode keeps exact running statistics (set \"mode\": \"ema\")");
                        }
                    }
                }
                yield new Standardize(f.size("features"), mode,
                        f.fraction("momentum", org.flinox.nn.Standardize.DEFAULT_MOMENTUM),
                        f.nonNegative(f.either("epsilon", "eps"), org.flinox.nn.Standardize.DEFAULT_EPS));
            }
            case "moments" -> new Moments(f.size("features"), f.fraction("momentum", 0.9));
            case "linear" -> new Linear(f.size("in"), f.size("out"), f.bool("bias", true));
            case "layernorm" -> new LayerNorm(f.size("features"), f.bool("affine", false),
                    f.nonNegative(f.either("epsilon", "eps"), org.flinox.nn.LayerNorm.EPS));
            case "mlp" -> {
                Integer hidden = f.size("hidden");
                yield new Mlp(f.size("in"), f.size("out"), hidden == null ? DEFAULT_MLP_HIDDEN : hidden);
            }
            case "gru" -> new Gru(f.size("in"), f.size("hidden"), f.bool("bias", true));
            case "lstm" -> new Lstm(f.size("in"), f.size("hidden"), f.bool("bias", true));
            case "batchnorm" -> {
                if (f.bool("training", false)) {
                    throw new ModelSpecException(path + ".training", "true is not supported: per record, a batch is"
                            + " one record, whose batch mean is the record itself and batch variance 0, so the"
                            + " output would always be 0 and the running variance would decay to 0. batchnorm runs"
                            + " in evaluation mode: give the running statistics trained elsewhere as .stats.mean and"
                            + " .stats.var in --weights; for statistics learnt per key from the stream, use"
                            + " {\"type\": \"standardize\", \"mode\": \"ema\"}");
                }
                yield new BatchNorm(f.size("features"), f.fraction("momentum", org.flinox.nn.BatchNorm.MOMENTUM),
                        f.nonNegative(f.either("epsilon", "eps"), org.flinox.nn.BatchNorm.EPS));
            }
            case "sequential" -> {
                JsonNode layers = f.required("layers");
                if (!layers.isArray()) {
                    throw new ModelSpecException(path + ".layers", "expected an array of modules, got "
                            + Json.describe(layers));
                }
                if (layers.isEmpty()) {
                    throw new ModelSpecException(path + ".layers", "is empty; a sequential needs at least one layer");
                }
                List<ModuleSpec> parsed = new ArrayList<>();
                Iterator<JsonNode> it = layers.elements();
                for (int i = 0; it.hasNext(); i++) {
                    parsed.add(parse(it.next(), path + ".layers[" + i + "]"));
                }
                yield new Sequential(parsed);
            }
            default -> {
                String parameter = ACTIVATIONS.get(type);
                String given = type.equals("leakyrelu") ? f.either("alpha", "slope") : parameter;
                yield new Activation(type, parameter.isEmpty() ? null : f.finite(given));
            }
        };
    }

    /** Every type name, sorted. */
    static Set<String> types() {
        Set<String> all = new TreeSet<>(ACTIVATIONS.keySet());
        all.addAll(List.of("standardize", "moments", "linear", "layernorm", "batchnorm", "mlp", "gru", "lstm",
                "sequential"));
        return all;
    }

}

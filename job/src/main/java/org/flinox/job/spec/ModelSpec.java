package org.flinox.job.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.flinox.nn.Module;
import org.flinox.nn.Rng;

/**
 * A model spec: which module tree the job runs per stream key, and how to initialise it.
 *
 * <pre>{@code
 * {"name": "scorer", "seed": 0,
 *  "module": {"type": "sequential", "layers": [
 *      {"type": "standardize"},
 *      {"type": "linear", "out": 8},
 *      {"type": "relu"},
 *      {"type": "linear", "out": 1}]}}
 * }</pre>
 *
 * <p>A size that equals the width coming in may be left out: each node's input width is
 * the width coming in (the job's feature count at the root, the previous layer's output
 * inside a {@code sequential}), and {@code out} of {@code linear}/{@code mlp} and
 * {@code hidden} of {@code gru} and {@code lstm} default to it too. An explicit size that contradicts the
 * width coming in is an error naming its path ({@code module.layers[2].in}).
 *
 * <p>Before anything is allocated, {@link #build} works out what the tree takes from its
 * sizes alone ({@link ModelFootprint}) and refuses a tree that does not fit the memory
 * available, naming the node that takes the most, its size and the memory available.
 *
 * <p>Parameters are a function of the seed and the node's path only: the node at
 * {@code module.layers[1]} draws from {@code new Rng(seed).child("module.layers[1]")}, so
 * equal specs give equal parameters, and adding a layer does not change the others'.
 *
 * @param name the model's name; the Flink operator's uid is derived from it
 * @param seed the seed of every initial parameter
 * @param module the root of the module tree
 */
public record ModelSpec(String name, long seed, ModuleSpec module) {

    /** What the job runs without {@code --model}. */
    public static final String DEFAULT_JSON = "{\"name\":\"standardize\",\"seed\":0,\"module\":{\"type\":\"standardize\"}}";

    public static final String DEFAULT_NAME = "flinox";

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    public ModelSpec {
        Objects.requireNonNull(module, "module");
        checkName(name);
    }

    /** The spec the job runs without {@code --model}: cumulative {@code Standardize}. */
    public static ModelSpec defaults() {
        return parse(DEFAULT_JSON);
    }

    /** Reads a spec file; errors start with the file name. */
    public static ModelSpec read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model spec " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(text);
        } catch (ModelSpecException e) {
            throw e.in(file.toString());
        }
    }

    /** Parses a spec from JSON text. */
    public static ModelSpec parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ModelSpecException("", "not valid JSON" + where + ": " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new ModelSpecException("", "empty; expected {\"name\": ..., \"seed\": ..., \"module\": {...}}");
        }
        if (!root.isObject()) {
            throw new ModelSpecException("", "expected an object {\"name\": ..., \"seed\": ..., \"module\": {...}}, got "
                    + Json.describe(root));
        }
        Json.Fields f = new Json.Fields(root, "", "name", "seed", "module");
        String name = f.string("name", DEFAULT_NAME);
        long seed = f.integer("seed", 0);
        ModuleSpec module = ModuleSpec.parse(f.required("module"), "module");
        return new ModelSpec(name, seed, module);
    }

    /** A built module tree and the width of its output. */
    public record Built(Module module, int outputWidth) {}

    /** Builds the tree for records of {@code features} features with the modules of {@code org.flinox.nn}. */
    public Built build(int features) {
        return build(features, ModuleBuilders.DEFAULT);
    }

    /** Builds the tree for records of {@code features} features. */
    public Built build(int features, ModuleBuilders builders) {
        if (features <= 0) {
            throw new IllegalArgumentException("the feature count must be positive, got " + features);
        }
        Width in = new Width(features, "the feature count");
        ModelFootprint footprint = new ModelFootprint();
        new Builder(new Rng(seed), builders, footprint).build(module, "module", in); // sizes only
        footprint.requireFits(ModelFootprint.availableBytes());
        return new Builder(new Rng(seed), builders, null).build(module, "module", in);
    }

    /** What the tree takes in memory, from its sizes alone (nothing is allocated). */
    ModelFootprint footprint(int features) {
        ModelFootprint footprint = new ModelFootprint();
        new Builder(new Rng(seed), ModuleBuilders.DEFAULT, footprint)
                .build(module, "module", new Width(features, "the feature count"));
        return footprint;
    }

    private static void checkName(String name) {
        if (name == null || !SAFE_NAME.matcher(name).matches()) {
            throw new ModelSpecException("name", (name == null ? "null" : "'" + name + "'")
                    + " is not a safe identifier: use only letters, digits, '_', '.' and '-', because the name"
                    + " becomes the Flink operator's uid, which savepoints use to find the operator's state");
        }
    }

    /** The width coming into a node, and where it comes from, for error messages. */
    private record Width(int value, String origin) {}

    /**
     * Walks the spec resolving every width. With a {@link ModelFootprint} it only counts what
     * each node would take and builds nothing (the check before anything is allocated);
     * without, it builds.
     */
    private static final class Builder {
        private final Rng rng;
        private final ModuleBuilders make;
        private final ModelFootprint footprint;

        Builder(Rng rng, ModuleBuilders make, ModelFootprint footprint) {
            this.rng = rng;
            this.make = make;
            this.footprint = footprint;
        }

        private Built node(String path, ModelFootprint.Size size, int outputWidth, Supplier<Module> module) {
            if (footprint != null) {
                footprint.add(path, size);
                return new Built(null, outputWidth);
            }
            return new Built(module.get(), outputWidth);
        }

        Built build(ModuleSpec node, String path, Width in) {
            if (node instanceof ModuleSpec.Standardize s) {
                int n = inWidth(s.features(), in, path + ".features");
                return node(path, ModelFootprint.standardize(n, s.mode()), n,
                        () -> make.standardize(n, s.mode(), s.momentum(), s.eps()));
            }
            if (node instanceof ModuleSpec.Moments m) {
                int n = inWidth(m.features(), in, path + ".features");
                return node(path, ModelFootprint.moments(n), n, () -> make.moments(n, m.momentum()));
            }
            if (node instanceof ModuleSpec.Linear l) {
                int n = inWidth(l.in(), in, path + ".in");
                int out = l.out() == null ? n : l.out();
                return node(path, ModelFootprint.linear(n, out, l.bias()), out,
                        () -> make.linear(n, out, l.bias(), rng.child(path)));
            }
            if (node instanceof ModuleSpec.LayerNorm l) {
                int n = inWidth(l.features(), in, path + ".features");
                return node(path, ModelFootprint.layerNorm(n, l.affine()), n, () -> make.layerNorm(n, l.affine(), l.eps()));
            }
            if (node instanceof ModuleSpec.BatchNorm b) {
                int n = inWidth(b.features(), in, path + ".features");
                return node(path, ModelFootprint.batchNorm(n), n, () -> make.batchNorm(n, b.momentum(), b.eps()));
            }
            if (node instanceof ModuleSpec.Mlp m) {
                int n = inWidth(m.in(), in, path + ".in");
                int out = m.out() == null ? n : m.out();
                return node(path, ModelFootprint.mlp(n, out, m.hidden()), out,
                        () -> make.mlp(n, out, m.hidden(), rng.child(path)));
            }
            if (node instanceof ModuleSpec.Gru g) {
                int n = inWidth(g.in(), in, path + ".in");
                int hidden = g.hidden() == null ? n : g.hidden();
                return node(path, ModelFootprint.gru(n, hidden, g.bias()), hidden,
                        () -> make.gru(n, hidden, g.bias(), rng.child(path)));
            }
            if (node instanceof ModuleSpec.Lstm l) {
                int n = inWidth(l.in(), in, path + ".in");
                int hidden = l.hidden() == null ? n : l.hidden();
                return node(path, ModelFootprint.lstm(n, hidden, l.bias()), hidden,
                        () -> make.lstm(n, hidden, l.bias(), rng.child(path)));
            }
            if (node instanceof ModuleSpec.Sequential s) {
                List<Module> layers = new ArrayList<>();
                Width w = in;
                for (int i = 0; i < s.layers().size(); i++) {
                    String p = path + ".layers[" + i + "]";
                    Built b = build(s.layers().get(i), p, w);
                    layers.add(b.module());
                    w = new Width(b.outputWidth(), "the output width of " + p);
                }
                return node(path, ModelFootprint.Size.NONE, w.value(), () -> make.sequential(layers));
            }
            if (node instanceof ModuleSpec.Activation a) {
                return node(path, ModelFootprint.Size.NONE, in.value(),
                        () -> a.parameter() == null ? make.activation(a.name())
                                : a.name().equals("leakyrelu") ? make.leakyRelu(a.parameter())
                                : make.elu(a.parameter()));
            }
            throw new IllegalStateException("unhandled spec node " + node);
        }

        private static int inWidth(Integer explicit, Width in, String path) {
            if (explicit != null && explicit != in.value()) {
                throw new ModelSpecException(path, "is " + explicit + ", but the width coming in is " + in.value()
                        + " (" + in.origin() + "); leave it out to take the width coming in");
            }
            return in.value();
        }
    }
}

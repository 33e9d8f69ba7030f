package org.flinox.spec;

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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.flinox.nn.Module;

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
 * <p>Each node is read by the {@link ModuleType} its {@code type} names, from the types
 * registered through {@link java.util.ServiceLoader} ({@link ModuleTypes}): the built-in ones
 * and those of a user's jar.
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
        String text = readText(file);
        try {
            return parse(text);
        } catch (ModelSpecException e) {
            throw e.in(file.toString());
        }
    }

    /** A spec file's text, or an error naming the file. */
    public static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model spec " + file + ": " + e.getMessage(), e);
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
                    + SpecNode.describe(root));
        }
        SpecNode f = new SpecNode(root, "", ModuleTypes.load(), List.of("name", "seed", "module"));
        String name = f.string("name", DEFAULT_NAME);
        long seed = f.integer("seed", 0);
        ModuleSpec module = f.module("module");
        return new ModelSpec(name, seed, module);
    }

    /** A built module tree and the width of its output. */
    public record Built(Module module, int outputWidth) {}

    /** Builds the tree for records of {@code features} features with the modules of {@code org.flinox.nn}. */
    public Built build(int features) {
        if (features <= 0) {
            throw new IllegalArgumentException("the feature count must be positive, got " + features);
        }
        footprint(features).requireFits(ModelFootprint.availableBytes());
        return new SpecTree(seed, null).build(module, "module", new Width(features, "the feature count"));
    }

    /**
     * What {@code describe} prints for the tree this spec built ({@code exported}: its state
     * entries exported to their keys), each node as its type describes it.
     */
    public Map<String, Object> describe(Module exported) {
        return module.describe(exported);
    }

    /** What the tree takes in memory, from its sizes alone (nothing is allocated). */
    ModelFootprint footprint(int features) {
        ModelFootprint footprint = new ModelFootprint();
        new SpecTree(seed, footprint).build(module, "module", new Width(features, "the feature count"));
        return footprint;
    }

    private static void checkName(String name) {
        if (name == null || !SAFE_NAME.matcher(name).matches()) {
            throw new ModelSpecException("name", (name == null ? "null" : "'" + name + "'")
                    + " is not a safe identifier: use only letters, digits, '_', '.' and '-', because the name"
                    + " becomes the Flink operator's uid, which savepoints use to find the operator's state");
        }
    }
}

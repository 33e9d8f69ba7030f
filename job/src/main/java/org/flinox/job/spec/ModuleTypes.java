package org.flinox.job.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.flinox.nn.Activation;

/**
 * The module types of a model spec, each registered once by its {@code type} name with the
 * {@code parse} of its {@link ModuleSpec} record: what the parser dispatches on and what
 * every "expected one of" lists. Adding a type: its record in {@link ModuleSpec}, its line
 * here, its row in the README's table.
 */
final class ModuleTypes {

    /** Reads the node at a path ({@code module.layers[1]}) into its spec. */
    private static final Map<String, BiFunction<JsonNode, String, ModuleSpec>> PARSERS = registry();

    private ModuleTypes() {}

    private static Map<String, BiFunction<JsonNode, String, ModuleSpec>> registry() {
        Map<String, BiFunction<JsonNode, String, ModuleSpec>> types = new LinkedHashMap<>();
        types.put("standardize", ModuleSpec.Standardize::parse);
        types.put("moments", ModuleSpec.Moments::parse);
        types.put("linear", ModuleSpec.Linear::parse);
        types.put("layernorm", ModuleSpec.LayerNorm::parse);
        types.put("batchnorm", ModuleSpec.BatchNorm::parse);
        types.put("mlp", ModuleSpec.Mlp::parse);
        types.put("gru", ModuleSpec.Gru::parse);
        types.put("lstm", ModuleSpec.Lstm::parse);
        types.put("sequential", ModuleSpec.Sequential::parse);
        for (String name : Activation.NAMES) {
            types.put(name, (node, path) -> ModuleSpec.Activation.parse(name, node, path));
        }
        return Collections.unmodifiableMap(types);
    }

    /** Every type name, sorted. */
    static Set<String> types() {
        return Collections.unmodifiableSet(new TreeSet<>(PARSERS.keySet()));
    }

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
        BiFunction<JsonNode, String, ModuleSpec> parser = PARSERS.get(type);
        if (parser == null) {
            throw new ModelSpecException(path + ".type", "unknown type '" + type + "'"
                    + Json.suggestion(type, types()) + "; expected one of " + String.join(", ", types()));
        }
        return parser.apply(node, path);
    }
}

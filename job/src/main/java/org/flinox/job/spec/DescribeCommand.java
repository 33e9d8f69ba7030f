package org.flinox.job.spec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.concurrent.Callable;
import org.flinox.nn.Module;
import org.flinox.nn.Parameters;
import org.flinox.nn.State;
import org.flinox.nn.StateExport;
import org.flinox.nn.Tensor;
import org.flinox.operators.OperatorIds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code describe}: the module tree (each node as its {@link org.flinox.spec.ModuleType}
 * describes it), its parameters and its state keys with their initial values (what a key
 * starts from; after {@code --weights}, when the file sets them), as JSON.
 */
@Command(name = "describe", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print the module tree, its parameters (path, shape, dtype) and its state keys "
                + "(name, shape, dtype, initial value) as JSON.")
public final class DescribeCommand implements Callable<Integer> {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** State entries up to this many values print them all; larger ones a summary. */
    static final int INLINE_VALUES = 16;

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Override
    public Integer call() throws Exception {
        SpecModelFactory factory = modelOptions.factory();
        StateExport.Exported<Module> exported = factory.createExported();
        ObjectNode root = MAPPER.createObjectNode();
        root.put("name", factory.name());
        root.put("uid", OperatorIds.model(factory.name()));
        ArrayNode f = root.putArray("features");
        modelOptions.features.forEach(f::add);
        root.put("outputWidth", factory.outputWidth());
        root.putPOJO("module", factory.spec().describe(exported.module()));
        ArrayNode params = root.putArray("parameters");
        for (Map.Entry<String, Tensor> e : Parameters.of(exported.module()).entrySet()) {
            params.add(layout(MAPPER.createObjectNode().put("path", e.getKey()), e.getValue()));
        }
        ArrayNode state = root.putArray("state");
        State s = exported.state();
        for (int i = 0; i < s.size(); i++) {
            ObjectNode entry = layout(MAPPER.createObjectNode().put("key", s.keyAt(i).name()), s.valueAt(i));
            entry.set("initial", initial(s.valueAt(i)));
            state.add(entry);
        }
        System.out.println(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        return 0;
    }

    private static ObjectNode layout(ObjectNode node, Tensor t) {
        ArrayNode shape = node.putArray("shape");
        for (int d : t.shape()) {
            shape.add(d);
        }
        node.put("dtype", t.dtype().numpyName());
        return node;
    }

    /** All values when there are few, else {@code {"min", "max", "mean"}} (one number when all are equal). */
    static com.fasterxml.jackson.databind.JsonNode initial(Tensor t) {
        double[] v = t.toArray();
        if (v.length <= INLINE_VALUES) {
            ArrayNode values = MAPPER.createArrayNode();
            for (double d : v) {
                values.add(d);
            }
            return values;
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (double d : v) {
            min = Math.min(min, d);
            max = Math.max(max, d);
            sum += d;
        }
        ObjectNode summary = MAPPER.createObjectNode();
        if (min == max) {
            return summary.put("all", min);
        }
        return summary.put("min", min).put("max", max).put("mean", sum / v.length);
    }
}

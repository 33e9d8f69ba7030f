package org.flinox.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.flinox.nn.Module;
import org.flinox.nn.Tensor;
import org.flinox.nn.TreeWalk;

/**
 * What {@code describe} prints for a module by default: its tree of records as plain Java
 * values, each record a map of its class's simple name as {@code type} and its components
 * by name; a tensor by its layout ({@code float32[2, 6]}), an enum by its lower-case name,
 * lists as lists, everything else as it is.
 */
public final class Description {

    private Description() {}

    /** The module's records, walked as {@link TreeWalk#fold} walks them. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> of(Module module) {
        Object folded = TreeWalk.fold(module, new TreeWalk.Fold<Object>() {
            @Override
            public Object leaf(String path, Object leaf) {
                if (leaf instanceof Tensor t) {
                    return t.layout();
                }
                return leaf instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT) : leaf;
            }

            @Override
            public Object record(String path, Record record, Map<String, Object> components) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("type", record.getClass().getSimpleName());
                out.putAll(components);
                return out;
            }

            @Override
            public Object list(String path, List<?> list, List<Object> items) {
                return new ArrayList<>(items);
            }

            @Override
            public Object map(String path, Map<?, ?> map, Map<Object, Object> entries) {
                return map; // no built-in module holds a map; printed as it is
            }
        });
        // a module that is not a record (modules should be) shows its class alone
        return folded instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of("type", module.getClass().getSimpleName());
    }
}

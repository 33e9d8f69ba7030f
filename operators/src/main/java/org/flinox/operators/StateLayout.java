package org.flinox.operators;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flinox.nn.State;

/**
 * The names, dtypes and shapes of a model's state entries ({@code .mean → float64[16]}),
 * stored with every checkpoint so that a job restoring it can tell what changed in the model.
 */
record StateLayout(Map<String, String> entries) {

    static StateLayout of(State initial) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < initial.size(); i++) {
            m.put(initial.keyAt(i).name(), initial.valueAt(i).layout());
        }
        return new StateLayout(m);
    }

    /** One line per entry: {@code name \t layout}. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        entries.forEach((name, layout) -> lines.add(name + "\t" + layout));
        return lines;
    }

    static StateLayout parse(Iterable<String> lines) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : lines) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                m.put(line.substring(0, tab), line.substring(tab + 1));
            }
        }
        return new StateLayout(m);
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }
}

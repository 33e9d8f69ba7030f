package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** State rows as {@code inspect} and {@code --final-state} print them, read back and compared. */
final class StateRows {

    private StateRows() {}

    /** key → stateKey → values; each (key, stateKey) must appear once. */
    static Map<String, Map<String, double[]>> parse(List<String> lines) throws Exception {
        Map<String, Map<String, double[]>> out = new TreeMap<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = JobFiles.JSON.readTree(line);
            double[] previous = out.computeIfAbsent(n.get("key").asText(), k -> new TreeMap<>())
                    .put(n.get("stateKey").asText(), JobFiles.doubles(n.get("values")));
            assertThat(previous).as("%s appears once", line).isNull();
        }
        return out;
    }

    /** Every key has exactly the expected entries, each value within a relative 1e-9. */
    static void assertClose(Map<String, Map<String, double[]>> got, Map<String, Map<String, double[]>> expected) {
        assertClose(got, expected, 1e-9);
    }

    /** Every key has exactly the expected entries, each value within {@code relative}. */
    static void assertClose(Map<String, Map<String, double[]>> got, Map<String, Map<String, double[]>> expected,
            double relative) {
        assertThat(got.keySet()).isEqualTo(expected.keySet());
        expected.forEach((key, entries) -> {
            assertThat(got.get(key).keySet()).as(key).isEqualTo(entries.keySet());
            entries.forEach((entry, values) -> {
                double[] actual = got.get(key).get(entry);
                assertThat(actual).as("%s %s", key, entry).hasSameSizeAs(values);
                for (int j = 0; j < values.length; j++) {
                    assertThat(actual[j]).as("%s %s[%d]", key, entry, j)
                            .isCloseTo(values[j], within(relative * Math.max(1, Math.abs(values[j]))));
                }
            });
        });
    }
}

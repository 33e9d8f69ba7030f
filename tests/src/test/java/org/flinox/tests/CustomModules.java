package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The example project's jar of a user's own module types ({@code deploy/examples/custom-module},
 * built by the reactor before this module), and what its modules compute, by plain loops
 * written here from their formulas.
 */
final class CustomModules {
    static final Path JAR = Path.of("").toAbsolutePath().getParent()
            .resolve("deploy/examples/custom-module/target/custom-module.jar");

    /** {@code my-moments} (momentum 0.5, observing) then {@code smooth} (alpha 0.25): output = the level. */
    static final String SMOOTHING = "{\"name\":\"smoothing\",\"module\":{\"type\":\"sequential\",\"layers\":["
            + "{\"type\":\"my-moments\",\"momentum\":0.5},{\"type\":\"smooth\",\"alpha\":0.25}]}}";
    static final double MOMENTUM = 0.5;
    static final double ALPHA = 0.25;

    private CustomModules() {}

    static Path jar() {
        assertThat(JAR).as("the example's jar (the reactor builds deploy/examples/custom-module)").isRegularFile();
        return JAR;
    }

    /** One input row of key {@code key}. */
    record Row(String key, int seq, double[] x) {}

    /** Each key's smoothing state and moments after a run of rows, with every output on the way. */
    static final class Smoothing {
        final Map<String, double[]> level = new LinkedHashMap<>();
        final Map<String, double[]> first = new LinkedHashMap<>();
        final Map<String, double[]> second = new LinkedHashMap<>();
        final List<double[]> outputs = new ArrayList<>();

        /** Starts {@code key} from a level other than 0 (as bootstrap gives it). */
        Smoothing start(String key, double[] startLevel) {
            level.put(key, startLevel.clone());
            return this;
        }

        /** {@code first ← m·first + (1−m)·x}, {@code second ← m·second + (1−m)·x²}, {@code level ← a·x + (1−a)·level}. */
        Smoothing feed(List<Row> rows) {
            for (Row r : rows) {
                int n = r.x().length;
                double[] f = first.computeIfAbsent(r.key(), k -> new double[n]);
                double[] s = second.computeIfAbsent(r.key(), k -> filled(n, 1));
                double[] l = level.computeIfAbsent(r.key(), k -> new double[n]);
                for (int i = 0; i < n; i++) {
                    f[i] = MOMENTUM * f[i] + (1 - MOMENTUM) * r.x()[i];
                    s[i] = MOMENTUM * s[i] + (1 - MOMENTUM) * r.x()[i] * r.x()[i];
                    l[i] = ALPHA * r.x()[i] + (1 - ALPHA) * l[i];
                }
                outputs.add(l.clone());
            }
            return this;
        }

        /** Per key, per state key: what {@code inspect} and {@code --final-state} print. */
        Map<String, Map<String, double[]>> state() {
            Map<String, Map<String, double[]>> out = new LinkedHashMap<>();
            for (String key : level.keySet()) {
                Map<String, double[]> entries = new LinkedHashMap<>();
                entries.put(".layers[0].first", first.get(key));
                entries.put(".layers[0].second", second.get(key));
                entries.put(".layers[1].level", level.get(key));
                out.put(key, entries);
            }
            return out;
        }
    }

    /** Rows {@code from..to-1} over three keys: two features with small, uneven values. */
    static List<Row> rows(int from, int to) {
        List<Row> rows = new ArrayList<>();
        for (int i = from; i < to; i++) {
            rows.add(new Row("k" + (i * 5 % 3), i - from, new double[] {(i * 7 % 11) - 3 + 0.5 * (i % 3), 20 - i * 0.75}));
        }
        return rows;
    }

    /** {@code key,a,b} with a header. */
    static List<String> csv(List<Row> rows) {
        List<String> lines = new ArrayList<>(List.of("key,a,b"));
        for (Row r : rows) {
            lines.add(r.key() + "," + r.x()[0] + "," + r.x()[1]);
        }
        return lines;
    }

    private static double[] filled(int n, double v) {
        double[] d = new double[n];
        java.util.Arrays.fill(d, v);
        return d;
    }
}

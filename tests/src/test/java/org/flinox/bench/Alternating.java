package org.flinox.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs several variants of one measurement in alternation (A B C, A B C, ...) so that load
 * from other processes on the machine falls on all of them alike, and reports medians and
 * ratios against the first variant, the baseline.
 */
final class Alternating {

    /** One measurement; higher is better (records/s) or lower is better (ns), as the caller says. */
    interface Measure {
        double run() throws Exception;
    }

    private final Map<String, Measure> variants = new LinkedHashMap<>();
    private final Map<String, List<Double>> results = new LinkedHashMap<>();

    Alternating add(String name, Measure m) {
        variants.put(name, m);
        results.put(name, new ArrayList<>());
        return this;
    }

    Alternating run(int repeats) throws Exception {
        for (int r = 0; r < repeats; r++) {
            for (Map.Entry<String, Measure> v : variants.entrySet()) {
                double x = v.getValue().run();
                results.get(v.getKey()).add(x);
                System.err.printf("  %-40s run %d: %,.0f%n", v.getKey(), r + 1, x);
            }
        }
        return this;
    }

    double median(String name) {
        double[] xs = results.get(name).stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = xs.length;
        return n % 2 == 1 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
    }

    String all(String name) {
        return Arrays.toString(results.get(name).stream().mapToLong(Math::round).toArray());
    }

    List<String> names() {
        return List.copyOf(variants.keySet());
    }
}

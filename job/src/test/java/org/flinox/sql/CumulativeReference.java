package org.flinox.sql;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The SQL tests' reference for the pinned cumulative z-scores: two passes over each key's rows
 * so far, population mean and variance, 0 where the variance is 0 (not Welford, not the code
 * under test).
 */
final class CumulativeReference {

    /** One accepted row: its id, its partition key, its features. */
    record Row(int id, String key, double[] x) {}

    private CumulativeReference() {}

    /** Each row's z-scores, by id. */
    static Map<Integer, double[]> zScores(List<Row> rows) {
        Map<String, List<double[]>> seen = new HashMap<>();
        Map<Integer, double[]> out = new HashMap<>();
        for (Row r : rows) {
            List<double[]> prefix = seen.computeIfAbsent(r.key(), k -> new ArrayList<>());
            prefix.add(r.x());
            double[] z = new double[r.x().length];
            for (int j = 0; j < z.length; j++) {
                double mean = 0;
                for (double[] p : prefix) {
                    mean += p[j];
                }
                mean /= prefix.size();
                double var = 0;
                for (double[] p : prefix) {
                    var += (p[j] - mean) * (p[j] - mean);
                }
                var /= prefix.size();
                z[j] = var == 0 ? 0 : (r.x()[j] - mean) / Math.sqrt(var);
            }
            out.put(r.id(), z);
        }
        return out;
    }
}

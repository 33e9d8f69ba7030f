package org.flinox.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The compute limit of B7: what one thread does for the whole job with no Flink, no state
 * backend and no checks — read the CSV file, split each line at its commas, parse the
 * features, keep each key's Welford statistics in a {@code HashMap} ({@link PlainWelford}),
 * write the job's JSON line per record ({@code {"key":..,"source":..,"seq":..,"output":[..]}},
 * numbers as Java's {@code Double.toString}, as the job's Jackson writes them).
 */
final class PlainJob {

    private PlainJob() {}

    /** Reads {@code input} (header {@code key,f0,..}), writes {@code output}; returns the rows. */
    static long run(Path input, Path output) throws IOException {
        String source = input.getFileName().toString();
        Map<String, double[]> states = new HashMap<>();
        long seq = 0;
        try (BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8);
                BufferedWriter out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            int n = in.readLine().split(",").length - 1;
            double[] x = new double[n];
            double[] z = new double[n];
            StringBuilder line = new StringBuilder(512);
            for (String row = in.readLine(); row != null; row = in.readLine()) {
                int comma = row.indexOf(',');
                String key = row.substring(0, comma);
                for (int j = 0; j < n; j++) {
                    int next = row.indexOf(',', comma + 1);
                    x[j] = Double.parseDouble(row.substring(comma + 1, next < 0 ? row.length() : next));
                    comma = next;
                }
                PlainWelford.update(states.computeIfAbsent(key, k -> PlainWelford.init(n)), x, z);
                line.setLength(0);
                line.append("{\"key\":\"").append(key).append("\",\"source\":\"").append(source)
                        .append("\",\"seq\":").append(seq).append(",\"output\":[");
                for (int j = 0; j < n; j++) {
                    line.append(j == 0 ? "" : ",").append(z[j]);
                }
                line.append("]}\n");
                out.append(line);
                seq++;
            }
        }
        return seq;
    }
}

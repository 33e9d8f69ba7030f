package org.flinox.job.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The report of one run as one self-contained HTML page (inline CSS and SVG: no script, nothing
 * fetched, it opens from disk): the run's summary, its throughput over time, its dead letters by
 * reason, and per chosen key each feature's raw value and its output over the key's records,
 * with the running mean ± one standard deviation for {@code standardize}, and the key's final
 * state when the run wrote one.
 */
final class RunReport {
    /** How many keys the report shows without {@code --keys}: the ones with the most outputs. */
    static final int DEFAULT_KEYS = 4;
    static final int EXAMPLES_PER_REASON = 5;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    /** What the report showed, for the line the command prints. */
    record Written(String html, List<String> keys, long outputs, long deadLetters) {}

    private RunReport() {}

    /**
     * @param keys the keys to show, or null for the {@link #DEFAULT_KEYS} with the most outputs
     * @param maxPoints the most points one line draws
     * @throws IllegalArgumentException when there are no outputs, or a key has none
     */
    static Written render(RunFiles files, List<String> keys, int maxPoints) {
        Map<String, Long> perKey = files.outputsPerKey();
        List<RunFiles.DeadLetter> deadLetters = files.deadLetters();
        if (perKey.isEmpty() && deadLetters.isEmpty()) {
            throw new IllegalArgumentException("--output " + files.output() + " holds no outputs of a run (committed "
                    + "part files) and it has no dead letters: give the --output directory of a run");
        }
        List<String> chosen = keys != null ? checkedKeys(keys, perKey) : mostFrequent(perKey);
        JsonNode start = files.lastStart();
        List<String> features = new ArrayList<>();
        if (start != null) {
            start.path("features").forEach(f -> features.add(f.asText()));
        }
        Model model = Model.of(start == null ? null : start.path("model"));
        Map<String, List<RunFiles.Output>> outputs = files.outputsOf(new LinkedHashSet<>(chosen));

        Map<String, String> wanted = new HashMap<>();
        outputs.values().forEach(list -> list.forEach(o -> wanted.put(RawValues.id(o.source(), o.seq()), o.key())));
        RawValues raw = start == null ? RawValues.unavailable("the output directory has no run log ("
                + RunLog.FILE_NAME + "): it names the input")
                : RawValues.read(start.path("input").asText(), textOrNull(start, "format"), textOrNull(start, "key"),
                        features, wanted);
        Map<String, Long> offsets = offsets(raw, outputs, deadLetters);

        long totalOutputs = perKey.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder page = new StringBuilder();
        page.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Flinox run report: ")
                .append(Html.escape(files.output().toString())).append("</title><style>").append(CSS).append("</style></head><body>\n");
        page.append(Plot.DEFS).append("<h1>Flinox run report</h1>\n");
        summary(page, files, start, model, features, totalOutputs, perKey.size(), deadLetters.size());
        throughput(page, files.samples(), maxPoints);
        deadLetterSection(page, deadLetters);
        page.append("<h2>Keys</h2>\n<p class=\"muted\">").append(keys != null ? "The keys asked for"
                : "The " + chosen.size() + " keys with the most outputs (--keys K1,K2 chooses others)").append(", of ")
                .append(String.format(Locale.ROOT, "%,d", perKey.size())).append(". x: ").append(Html.escape(xLabel(offsets)))
                .append(".</p>\n");
        if (raw.problem() != null) {
            page.append("<p class=\"warn\">Raw values are not shown: ").append(Html.escape(raw.problem())).append(".</p>\n");
        } else if (raw.changed() > 0) {
            page.append("<p class=\"warn\">").append(raw.changed()).append(" records of these keys are no longer in the input "
                    + "as the run read them (the input changed since): their raw values are left out.</p>\n");
        }
        List<RunFiles.StateRow> state = files.finalState(new LinkedHashSet<>(chosen));
        for (String key : chosen) {
            keySection(page, key, outputs.getOrDefault(key, List.of()), raw, offsets, features, model, maxPoints,
                    state.stream().filter(r -> r.key().equals(key)).toList(), offsets.size() == 1);
        }
        page.append("<footer>Written by <code>flinox-job report</code> on ").append(TIME.format(Instant.now()))
                .append(" from ").append(Html.escape(files.output().toString())).append(".</footer>\n</body></html>\n");
        return new Written(page.toString(), chosen, totalOutputs, deadLetters.size());
    }

    private static List<String> checkedKeys(List<String> keys, Map<String, Long> perKey) {
        for (String k : keys) {
            if (!perKey.containsKey(k)) {
                throw new IllegalArgumentException("--keys " + k + ": the run has no outputs for that key; the keys with "
                        + "the most outputs are " + String.join(", ", mostFrequent(perKey)));
            }
        }
        return List.copyOf(new LinkedHashSet<>(keys));
    }

    private static List<String> mostFrequent(Map<String, Long> perKey) {
        return perKey.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(DEFAULT_KEYS).map(Map.Entry::getKey).toList();
    }

    /**
     * Where each source's rows start on the x axis: sources in arrival order, each after the
     * rows of those before it. Without the input, sources by name, each as long as the largest
     * seq seen in it.
     */
    private static Map<String, Long> offsets(RawValues raw, Map<String, List<RunFiles.Output>> outputs,
            List<RunFiles.DeadLetter> deadLetters) {
        Map<String, Long> rows = new LinkedHashMap<>(raw.rows());
        if (rows.isEmpty()) {
            Map<String, Long> seen = new TreeMap<>();
            outputs.values().forEach(l -> l.forEach(o -> seen.merge(o.source(), o.seq() + 1, Math::max)));
            deadLetters.forEach(d -> seen.merge(d.source(), d.seq() + 1, Math::max));
            rows.putAll(seen);
        }
        Map<String, Long> offsets = new LinkedHashMap<>();
        long at = 0;
        for (Map.Entry<String, Long> e : rows.entrySet()) {
            offsets.put(e.getKey(), at);
            at += e.getValue();
        }
        return offsets;
    }

    private static String xLabel(Map<String, Long> offsets) {
        return offsets.size() == 1 ? "seq, the row of " + offsets.keySet().iterator().next()
                : "row of the input: seq, after the rows of the files that arrived before";
    }

    private static void summary(StringBuilder page, RunFiles files, JsonNode start, Model model, List<String> features,
            long outputs, int keys, int deadLetters) {
        List<RunFiles.Sample> samples = files.samples();
        page.append("<table class=\"summary\">\n");
        row(page, "outputs", files.output().toString());
        if (start != null) {
            row(page, "input", start.path("input").asText());
            row(page, "key", textOrNull(start, "key") == null ? "(one global key)" : start.path("key").asText());
            row(page, "features", String.join(", ", features));
            row(page, "model", model.describe());
            row(page, "started", TIME.format(Instant.ofEpochMilli(start.path("time").asLong())));
        } else {
            row(page, "run log", "none (" + RunLog.FILE_NAME + " is missing): input, model and throughput unknown");
        }
        if (!samples.isEmpty()) {
            RunFiles.Sample last = samples.get(samples.size() - 1);
            long first = samples.get(0).time();
            row(page, "records in", String.format(Locale.ROOT, "%,d in %.1f s (as last logged%s)", last.recordsIn(),
                    (last.time() - samples.stream().filter(s -> s.run() == last.run()).findFirst().orElse(last).time()) / 1000.0,
                    last.run() > 0 ? ", run " + (last.run() + 1) + " of the directory" : ""));
            if (last.time() < first) {
                row(page, "clock", "the log's times go backwards");
            }
        }
        row(page, "outputs written", String.format(Locale.ROOT, "%,d for %,d keys", outputs, keys));
        row(page, "dead letters", String.format(Locale.ROOT, "%,d in %s", deadLetters, files.deadLetterDir()));
        page.append("</table>\n");
    }

    private static void row(StringBuilder page, String name, String value) {
        page.append("<tr><th>").append(Html.escape(name)).append("</th><td>").append(Html.escape(value)).append("</td></tr>\n");
    }

    /** Records per second between successive samples whose count moved, over seconds since the run started. */
    private static void throughput(StringBuilder page, List<RunFiles.Sample> samples, int maxPoints) {
        page.append("<h2>Throughput</h2>\n");
        List<double[]> points = new ArrayList<>(); // {seconds, records/s}
        long t0 = samples.isEmpty() ? 0 : samples.get(0).time();
        RunFiles.Sample previous = null;
        for (RunFiles.Sample s : samples) {
            if (previous != null && previous.run() == s.run() && s.recordsIn() != previous.recordsIn() && s.time() > previous.time()) {
                double seconds = (s.time() - previous.time()) / 1000.0;
                points.add(new double[] {(s.time() - t0) / 1000.0, (s.recordsIn() - previous.recordsIn()) / seconds});
            }
            if (previous == null || previous.run() != s.run() || s.recordsIn() != previous.recordsIn()) {
                previous = s;
            }
        }
        if (points.isEmpty()) {
            page.append("<p class=\"muted\">No progress was logged: the run log is missing, or the run ended before its "
                    + "first count reached the client (it counts once a second).</p>\n");
            return;
        }
        double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
        int[] shown = Downsample.minMax(y, maxPoints);
        page.append("<div class=\"plots\">").append(new Plot("records in per second", "seconds since the run started")
                .line("records/s", "series rate", x, y, shown).note(points(shown.length, y.length)).svg()).append("</div>\n");
    }

    private static void deadLetterSection(StringBuilder page, List<RunFiles.DeadLetter> deadLetters) {
        page.append("<h2>Dead letters by reason</h2>\n");
        if (deadLetters.isEmpty()) {
            page.append("<p class=\"muted\">None: every record the run read gave an output.</p>\n");
            return;
        }
        Map<String, Integer> counts = RunFiles.byReason(deadLetters);
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(1);
        int barHeight = 22;
        int height = counts.size() * barHeight + 10;
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg class=\"bars\" width=\"560\" height=\"%d\" viewBox=\"0 0 560 %d\">",
                height, height));
        int row = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            int y = 5 + row++ * barHeight;
            double w = 300.0 * e.getValue() / max;
            svg.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"180\" y=\"%d\" text-anchor=\"end\">%s</text>", y + 15,
                    Html.escape(e.getKey())));
            svg.append(String.format(Locale.ROOT, "<rect class=\"bar\" data-reason=\"%s\" data-count=\"%d\" x=\"188\" y=\"%d\" "
                    + "width=\"%.2f\" height=\"16\"><title>%s: %d</title></rect>", Html.escape(e.getKey()), e.getValue(), y + 2, w,
                    Html.escape(e.getKey()), e.getValue()));
            svg.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%.2f\" y=\"%d\">%,d</text>", 194 + w, y + 15, e.getValue()));
        }
        svg.append("</svg>");
        page.append("<div class=\"plots\">").append(svg).append("</div>\n");
        page.append("<table class=\"examples\"><tr><th>reason</th><th>source</th><th>seq</th><th>key</th><th>detail</th></tr>\n");
        Map<String, Integer> shown = new HashMap<>();
        deadLetters.stream().sorted(Comparator.comparing(RunFiles.DeadLetter::reason).thenComparing(RunFiles.DeadLetter::source)
                .thenComparingLong(RunFiles.DeadLetter::seq)).forEach(d -> {
                    if (shown.merge(d.reason(), 1, Integer::sum) <= EXAMPLES_PER_REASON) {
                        page.append("<tr><td>").append(Html.escape(d.reason())).append("</td><td>").append(Html.escape(d.source()))
                                .append("</td><td>").append(d.seq()).append("</td><td>").append(Html.escape(d.key()))
                                .append("</td><td>").append(Html.escape(d.detail())).append("</td></tr>\n");
                    }
                });
        page.append("</table>\n<p class=\"muted\">The first ").append(EXAMPLES_PER_REASON)
                .append(" of each reason, by source and seq.</p>\n");
    }

    private static void keySection(StringBuilder page, String key, List<RunFiles.Output> unordered, RawValues raw,
            Map<String, Long> offsets, List<String> features, Model model, int maxPoints, List<RunFiles.StateRow> state,
            boolean oneSource) {
        List<RunFiles.Output> outputs = new ArrayList<>(unordered);
        outputs.sort(Comparator.comparingLong((RunFiles.Output o) -> offsets.getOrDefault(o.source(), 0L)).thenComparingLong(RunFiles.Output::seq));
        page.append("<section class=\"key\" data-key=\"").append(Html.escape(key)).append("\"><h3>").append(Html.escape(key))
                .append(" <span class=\"muted\">").append(String.format(Locale.ROOT, "%,d outputs", outputs.size())).append("</span></h3>\n");
        int n = outputs.size();
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = offsets.getOrDefault(outputs.get(i).source(), 0L) + outputs.get(i).seq();
        }
        int width = outputs.isEmpty() ? 0 : outputs.get(0).output().length;
        boolean perFeature = model.standardize() && width == features.size();
        boolean haveRaw = raw.problem() == null && outputs.stream().allMatch(o -> raw.values().containsKey(RawValues.id(o.source(), o.seq())));
        String xName = oneSource ? "seq" : "row of the input";
        page.append("<div class=\"plots\">\n");
        for (int j = 0; haveRaw && j < features.size(); j++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = raw.values().get(RawValues.id(outputs.get(i).source(), outputs.get(i).seq()))[j];
            }
            int[] shown = Downsample.minMax(v, maxPoints);
            Plot p = new Plot(features.get(j) + ": raw value" + (perFeature ? ", running mean ± 1 sd" : ""), xName)
                    .line(features.get(j), "series raw", x, v, shown);
            if (perFeature) {
                RunningMoments m = model.moments(v);
                double[] lo = new double[n];
                double[] hi = new double[n];
                for (int i = 0; i < n; i++) {
                    lo[i] = m.mean()[i] - m.sd()[i];
                    hi[i] = m.mean()[i] + m.sd()[i];
                }
                p.band("mean ± 1 sd", x, lo, hi, shown).line("running mean", "mean", x, m.mean(), shown);
            }
            page.append(p.note(points(shown.length, n)).svg()).append('\n');
            if (perFeature) {
                page.append(outputPlot(outputs, x, j, features.get(j) + ": output (z-score)", features.get(j) + " z", xName,
                        maxPoints)).append('\n');
            }
        }
        for (int j = 0; !(perFeature && haveRaw) && j < width; j++) {
            String name = perFeature ? features.get(j) + " z" : "output[" + j + "]";
            page.append(outputPlot(outputs, x, j, perFeature ? features.get(j) + ": output (z-score)" : name, name, xName,
                    maxPoints)).append('\n');
        }
        page.append("</div>\n");
        if (!state.isEmpty()) {
            page.append("<table class=\"state\"><tr><th colspan=\"3\">final state</th></tr>\n");
            for (RunFiles.StateRow r : state) {
                StringBuilder values = new StringBuilder();
                for (int i = 0; i < Math.min(r.values().length, 16); i++) {
                    values.append(i == 0 ? "" : ", ").append(Ticks.label(r.values()[i]));
                }
                if (r.values().length > 16) {
                    values.append(", … (").append(r.values().length).append(" values)");
                }
                page.append("<tr><td><code>").append(Html.escape(r.stateKey())).append("</code></td><td>").append(Html.escape(r.dtype()))
                        .append(r.shape()).append("</td><td>").append(Html.escape(values.toString())).append("</td></tr>\n");
            }
            page.append("</table>\n");
        }
        page.append("</section>\n");
    }

    private static String outputPlot(List<RunFiles.Output> outputs, double[] x, int j, String title, String series,
            String xName, int maxPoints) {
        double[] y = new double[outputs.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = outputs.get(i).output()[j];
        }
        int[] shown = Downsample.minMax(y, maxPoints);
        return new Plot(title, xName).line(series, "series output", x, y, shown).note(points(shown.length, y.length)).svg();
    }

    static String points(int shown, int all) {
        if (all == 1) {
            return "1 point";
        }
        return shown == all ? String.format(Locale.ROOT, "all %,d points", all)
                : String.format(Locale.ROOT, "%,d of %,d points (lowest and highest per stretch)", shown, all);
    }

    private static String textOrNull(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() ? v.asText() : null;
    }

    /** What the report needs to know of the model: whether its root is {@code standardize}, and how it normalizes. */
    record Model(String type, String mode, double momentum) {
        static Model of(JsonNode spec) {
            JsonNode module = spec == null ? null : spec.path("module");
            if (module == null || !module.isObject()) {
                return new Model(null, null, 0);
            }
            String type = module.path("type").asText(null);
            String mode = module.path("mode").asText("cumulative");
            return new Model(type, mode, module.path("momentum").asDouble(0.9));
        }

        boolean standardize() {
            return "standardize".equals(type) && (mode.equals("cumulative") || mode.equals("ema"));
        }

        RunningMoments moments(double[] x) {
            return mode.equals("ema") ? RunningMoments.ema(x, momentum) : RunningMoments.cumulative(x);
        }

        String describe() {
            if (type == null) {
                return "unknown";
            }
            return standardize() ? "standardize, " + mode + (mode.equals("ema") ? " (momentum " + momentum + ")" : "") : type;
        }
    }

    private static final String CSS = """
            body{font:14px/1.45 "Liberation Sans",Arial,Helvetica,sans-serif;color:#1d2330;margin:24px auto;max-width:1160px;padding:0 16px}
            h1{font-size:24px;margin:0 0 12px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d8dde6;padding-bottom:4px}
            h3{font-size:16px;margin:18px 0 6px}.muted{color:#667085;font-weight:normal}.warn{color:#9a3412}
            table{border-collapse:collapse;margin:6px 0}th,td{text-align:left;padding:3px 12px 3px 0;vertical-align:top}
            table.summary th{color:#667085;font-weight:normal;width:120px}
            table.examples,table.state{font-size:13px}table.examples td,table.state td{border-top:1px solid #eef0f4}
            .plots{display:flex;flex-wrap:wrap;gap:8px 24px}
            svg text{font-family:"Liberation Sans",Arial,Helvetica,sans-serif}
            svg .title{font-size:13px;font-weight:bold;fill:#1d2330}svg .tick,svg .axis,svg .note{font-size:11px;fill:#667085}
            svg .frame{fill:#fbfcfd;stroke:#c9d0db}svg .grid{stroke:#e6e9ef}svg .tickmark{stroke:#98a2b3}
            svg polyline{fill:none;stroke-width:1.4;stroke-linejoin:round}svg .series{stroke:#2563eb}
            svg .series.raw,svg .series.output{stroke-width:.7;stroke-opacity:.3;marker-start:url(#dot-raw);marker-mid:url(#dot-raw);marker-end:url(#dot-raw)}
            svg .series.output{stroke:#c2410c;marker-start:url(#dot-output);marker-mid:url(#dot-output);marker-end:url(#dot-output)}
            svg .series.rate{marker-start:url(#dot-raw);marker-mid:url(#dot-raw);marker-end:url(#dot-raw)}
            svg .mean{stroke:#15803d;stroke-width:1.6}
            svg .band{fill:#16a34a;fill-opacity:.22;stroke:#15803d;stroke-opacity:.35;stroke-width:.6}svg .bar{fill:#c2410c}
            footer{margin-top:32px;color:#98a2b3;font-size:12px}
            """;
}

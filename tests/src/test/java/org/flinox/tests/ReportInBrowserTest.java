package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run report as a person sees it: the page a real run of the jar wrote ({@code --report}),
 * and the demo's, opened from disk in headless Chromium. No console errors; what is drawn, read
 * back from the rendered SVG in data units, is the run's outputs and the input's values; a
 * screenshot of each page is left in {@code tests/target/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportInBrowserTest {
    /** Every plot of a key's section, its lines' points in data units: {title, note, lines: [{series, points}]}. */
    private static final String PLOTS_OF_KEY = """
            JSON.stringify([...document.querySelectorAll('section.key[data-key="' + CSS.escape(%s) + '"] svg.plot')].map(svg => {
              const f = svg.querySelector('rect.frame').getBBox(), d = svg.dataset;
              const x0 = +d.x0, x1 = +d.x1, y0 = +d.y0, y1 = +d.y1;
              return {title: svg.querySelector('text.title').textContent, note: svg.querySelector('text.note').textContent,
                xPerPixel: (x1 - x0) / f.width, yPerPixel: (y1 - y0) / f.height,
                lines: [...svg.querySelectorAll('polyline')].map(l => ({series: l.dataset.series,
                  points: [...l.points].map(p => [x0 + (p.x - f.x) / f.width * (x1 - x0), y1 - (p.y - f.y) / f.height * (y1 - y0)])}))};
            }))""";

    @TempDir
    static Path work;

    private HeadlessChromium browser;

    @BeforeAll
    void startBrowser() throws Exception {
        browser = HeadlessChromium.start(work.resolve("chromium"));
    }

    @AfterAll
    void stopBrowser() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void theReportOfARunDrawsItsOutputsAndItsInput() throws Exception {
        Path input = work.resolve("sensors.csv");
        List<String> lines = new ArrayList<>(List.of("sensor,temperature,humidity"));
        for (int i = 0; i < 75; i++) {
            String key = i % 5 < 3 ? "boiler <1>" : "pump-7"; // a key that must be escaped in HTML
            lines.add("\"" + key + "\"," + (20 + (i * 7 % 11) * 0.5) + "," + (40 + i % 9));
        }
        lines.set(1 + 13, "pump-7,warm,41");
        lines.set(1 + 24, "pump-7,,40");
        Files.write(input, lines, StandardCharsets.UTF_8);
        Path out = work.resolve("run/out");
        Path page = work.resolve("run/report.html");
        JarRun run = JarRun.of(work, "--input", input.toString(), "--key", "sensor", "--features", "temperature,humidity",
                "--output", out.toString(), "--report", page.toString(), "--checkpoint-interval", "500ms");
        assertThat(run.code()).as("the run:\n%s", run.err()).isZero();
        assertThat(run.err()).contains("flinox: report of 73 outputs (keys boiler <1>, pump-7) and 2 dead letters: "
                + page.toUri());

        browser.open(page.toUri());
        Files.write(Path.of("target/report-run.png"), browser.screenshot(1200));
        assertThat(browser.errors()).as("console errors of the page").isEmpty();

        // the outputs and input rows of "boiler <1>", by seq (the input has one file: x is seq)
        Map<Long, double[]> outputs = new TreeMap<>();
        for (JsonNode o : JobFiles.jsonLines(out)) {
            if (o.get("key").asText().equals("boiler <1>")) {
                outputs.put(o.get("seq").asLong(), JobFiles.doubles(o.get("output")));
            }
        }
        Map<Long, double[]> raw = new TreeMap<>();
        for (int seq = 0; seq < 75; seq++) {
            String[] cols = lines.get(1 + seq).split(",");
            if (cols[0].equals("\"boiler <1>\"")) {
                raw.put((long) seq, new double[] {Double.parseDouble(cols[1]), Double.parseDouble(cols[2])});
            }
        }
        assertThat(outputs).hasSize(45);
        JsonNode plots = browser.evaluate(PLOTS_OF_KEY.formatted("'boiler <1>'"));
        assertThat(plots).as("raw and output plot per feature").hasSize(4);
        String[] features = {"temperature", "humidity"};
        for (int j = 0; j < 2; j++) {
            assertDrawn(plots, features[j] + " z", outputs, j);
            assertDrawn(plots, features[j], raw, j);
            // the band's running mean ends at the mean of every value of the key (two passes, here)
            int f = j;
            double mean = raw.values().stream().mapToDouble(v -> v[f]).average().orElseThrow();
            JsonNode meanLine = line(plots, "running mean", features[j] + ": raw value, running mean ± 1 sd");
            JsonNode last = meanLine.get(meanLine.size() - 1);
            assertThat(last.get(1).asDouble()).isCloseTo(mean, within(0.01));
        }

        JsonNode bars = browser.evaluate("JSON.stringify([...document.querySelectorAll('rect.bar')]"
                + ".map(b => [b.dataset.reason, +b.dataset.count]))");
        assertThat(bars.toString()).isEqualTo("[[\"MISSING_FIELD\",1],[\"NON_NUMERIC\",1]]");
    }

    /** Every point of the series is drawn, at its seq and value (to the drawing's rounding), and nothing else. */
    private static void assertDrawn(JsonNode plots, String series, Map<Long, double[]> expected, int column) {
        JsonNode plot = null;
        JsonNode points = null;
        for (JsonNode p : plots) {
            for (JsonNode l : p.path("lines")) {
                if (l.path("series").asText().equals(series)) {
                    plot = p;
                    points = l.path("points");
                }
            }
        }
        assertThat(points).as("a line %s", series).isNotNull();
        assertThat(plot.path("note").asText()).isEqualTo("all " + expected.size() + " points");
        assertThat(points).hasSize(expected.size());
        double dx = plot.path("xPerPixel").asDouble() * 0.01;
        double dy = plot.path("yPerPixel").asDouble() * 0.01;
        int i = 0;
        for (Map.Entry<Long, double[]> e : expected.entrySet()) {
            JsonNode p = points.get(i++);
            assertThat(p.get(0).asDouble()).as("%s x of seq %d", series, e.getKey()).isCloseTo(e.getKey(), within(dx));
            assertThat(p.get(1).asDouble()).as("%s at seq %d", series, e.getKey()).isCloseTo(e.getValue()[column], within(dy));
        }
    }

    private static JsonNode line(JsonNode plots, String series, String title) {
        for (JsonNode p : plots) {
            if (p.path("title").asText().equals(title)) {
                for (JsonNode l : p.path("lines")) {
                    if (l.path("series").asText().equals(series)) {
                        return l.path("points");
                    }
                }
            }
        }
        throw new AssertionError("no line " + series + " in the plot " + title + ": " + plots);
    }

    @Test
    void theDemosReportOpensWithEveryPlot() throws Exception {
        Path out = work.resolve("demo/out");
        JarRun demo = JarRun.of(work, "--output", out.toString());
        assertThat(demo.code()).as("the demo:\n%s", demo.err()).isZero();
        Path page = work.resolve("demo/out-report.html");
        assertThat(demo.out()).contains("Open its report (plots per sensor, dead letters, throughput) in a browser: "
                + page.toUri());

        browser.open(page.toUri());
        Files.write(Path.of("target/report-demo.png"), browser.screenshot(1200));
        assertThat(browser.errors()).as("console errors of the page").isEmpty();
        JsonNode sections = browser.evaluate("JSON.stringify([...document.querySelectorAll('section.key')].map(s => "
                + "[s.dataset.key, s.querySelectorAll('svg.plot').length]))");
        // the demo's four sensors, each with a raw and an output plot for its three features
        assertThat(sections.toString()).isEqualTo(
                "[[\"boiler-1\",6],[\"pump-3\",6],[\"boiler-2\",6],[\"chiller-7\",6]]");
        JsonNode throughput = browser.evaluate("JSON.stringify([...document.querySelectorAll("
                + "'polyline[data-series=\"records/s\"]')].map(l => l.points.length))");
        assertThat(throughput).hasSize(1);
        assertThat(throughput.get(0).asInt()).as("throughput points").isPositive();
        JsonNode notes = browser.evaluate("JSON.stringify([...document.querySelectorAll('section.key text.note')]"
                + ".map(t => t.textContent))");
        // about 1,250 records per sensor: drawn downsampled, and the plot says so
        notes.forEach(n -> assertThat(n.asText()).matches("1,000 of 1,2\\d\\d points \\(lowest and highest per stretch\\)"));
    }
}

package org.flinox.job.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's parts: downsampling, the running moments it draws, and a page of a small run's files. */
class ReportTest {

    @Test
    void downsamplingKeepsEveryPointUpToTheLimitAndTheExtremesBeyondIt() {
        double[] few = {3, 1, 2};
        assertThat(Downsample.minMax(few, 10)).containsExactly(0, 1, 2);

        double[] y = new double[10_000];
        Random r = new Random(7);
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextGaussian();
        }
        y[4321] = 50; // a spike
        y[777] = -50; // a dip
        int[] shown = Downsample.minMax(y, 100);
        assertThat(shown.length).isLessThanOrEqualTo(100).isGreaterThan(90);
        assertThat(shown).contains(0, 9999, 4321, 777);
        for (int i = 1; i < shown.length; i++) {
            assertThat(shown[i]).isGreaterThan(shown[i - 1]);
        }
    }

    /** Against two passes over each prefix (mean, then population variance). */
    @Test
    void cumulativeMomentsAreTheMeanAndPopulationSdOfEachPrefix() {
        double[] x = {20.5, 21.0, 19.75, 30.0, 18.25, 22.0};
        RunningMoments m = RunningMoments.cumulative(x);
        for (int n = 1; n <= x.length; n++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += x[i] / n;
            }
            double var = 0;
            for (int i = 0; i < n; i++) {
                var += (x[i] - mean) * (x[i] - mean) / n;
            }
            assertThat(m.mean()[n - 1]).isCloseTo(mean, within(1e-12));
            assertThat(m.sd()[n - 1]).isCloseTo(Math.sqrt(var), within(1e-12));
        }
    }

    /** Against the closed form: first_n = (1 − m) Σ m^(n−k) x_k, second_n = m^(n+1) + (1 − m) Σ m^(n−k) x_k². */
    @Test
    void emaMomentsAreTheExponentiallyWeightedSums() {
        double[] x = {1.5, -2.0, 0.25, 4.0};
        double m = 0.8;
        RunningMoments r = RunningMoments.ema(x, m);
        for (int n = 0; n < x.length; n++) {
            double first = 0;
            double second = Math.pow(m, n + 1);
            for (int k = 0; k <= n; k++) {
                first += (1 - m) * Math.pow(m, n - k) * x[k];
                second += (1 - m) * Math.pow(m, n - k) * x[k] * x[k];
            }
            assertThat(r.mean()[n]).isCloseTo(first, within(1e-12));
            assertThat(r.sd()[n]).isCloseTo(Math.sqrt(Math.max(second - first * first, 0)), within(1e-12));
        }
    }

    @Test
    void ticksAreRoundAndInside() {
        assertThat(Ticks.of(0, 10, 5)).containsExactly(0.0, 2.0, 4.0, 6.0, 8.0, 10.0);
        assertThat(Ticks.of(-0.37, 0.42, 4)).containsExactly(-0.2, 0.0, 0.2, 0.4);
        assertThat(Ticks.label(0.30000000000000004)).isEqualTo("0.3");
        assertThat(Ticks.label(1013.25)).isEqualTo("1013.25");
    }

    @Test
    void textOfTheUsersDataIsEscaped() {
        assertThat(Html.escape("<script>\"a\" & 'b'</script>"))
                .isEqualTo("&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;");
        assertThat(Html.escape("\ud800x")).isEqualTo("\ufffdx");
    }

    // ---- a page of a small run's files ----

    @TempDir
    Path dir;

    /** A run's files as the job writes them: input, outputs, dead letters, log; z-scores by two passes. */
    private Path writeRun(String key, int rows) throws Exception {
        Path input = dir.resolve("in.csv");
        Path out = Files.createDirectories(dir.resolve("out"));
        Path dead = Files.createDirectories(dir.resolve("out-dead-letters"));
        List<String> csv = new ArrayList<>(List.of("k,a"));
        List<String> outputs = new ArrayList<>();
        List<Double> seen = new ArrayList<>();
        for (int seq = 0; seq < rows; seq++) {
            double a = (seq * 37 % 17) / 4.0;
            csv.add("\"" + key.replace("\"", "\"\"") + "\"," + a);
            seen.add(a);
            double mean = seen.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double var = seen.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / seen.size();
            double z = var == 0 ? 0 : (a - mean) / Math.sqrt(var);
            outputs.add(RunLog.JSON.createObjectNode().put("key", key).put("source", "in.csv").put("seq", seq)
                    .set("output", RunLog.JSON.createArrayNode().add(z)).toString());
        }
        csv.add("\"" + key.replace("\"", "\"\"") + "\",warm");
        Files.write(input, csv, StandardCharsets.UTF_8);
        Files.write(out.resolve("part-0-0.jsonl"), outputs, StandardCharsets.UTF_8);
        Files.writeString(dead.resolve("part-0-0.jsonl"), "{\"source\":\"in.csv\",\"seq\":" + rows + ",\"key\":null,"
                + "\"reason\":\"NON_NUMERIC\",\"detail\":\"field 'a' is not a number: 'warm'\",\"raw\":\"x,warm\"}\n");
        RunLog log = RunLog.start(out, new RunLog.RunInfo(input.toString(), "csv", "k", List.of("a"),
                "{\"name\":\"z\",\"module\":{\"type\":\"standardize\"}}", dead.toString(), null));
        log.end(new RunLog.Counts(rows + 1, rows, 1));
        return out;
    }

    @Test
    void aPageDrawsEveryOutputOfTheKeyWithItsRawValueAndEscapesTheKey() throws Exception {
        String key = "<b>\"k&1\"</b>";
        Path out = writeRun(key, 30);
        Path page = dir.resolve("report.html");
        assertThat(org.flinox.job.FlinoxCli.execute("report", "--output", out.toString(), "--html", page.toString())).isZero();

        String html = Files.readString(page);
        assertThat(html).doesNotContain(key).contains("&lt;b&gt;&quot;k&amp;1&quot;&lt;/b&gt;");
        assertThat(html).doesNotContain("<script").doesNotContain("http://").doesNotContain("https://");
        // one raw line (a), its band and mean, and one output line, each through all 30 points
        assertThat(count(html, "all 30 points")).isEqualTo(2);
        Matcher output = Pattern.compile("data-series=\"a z\" points=\"([^\"]*)\"").matcher(html);
        assertThat(output.find()).isTrue();
        assertThat(output.group(1).split(" ")).hasSize(30);
        assertThat(html).contains("data-reason=\"NON_NUMERIC\" data-count=\"1\"");
        assertThat(html).contains("standardize, cumulative");
    }

    @Test
    void aPageIsNeverWrittenOverNorIntoTheOutputs() throws Exception {
        Path out = writeRun("k", 5);
        Path page = dir.resolve("report.html");
        Files.writeString(page, "mine");
        assertThatThrownBy(() -> ReportCommand.checkPage(page, out, false, "--html"))
                .hasMessageContaining("--html " + page + " exists");
        assertThatThrownBy(() -> ReportCommand.checkPage(out.resolve("r.html"), out, true, "--html"))
                .hasMessageContaining("is inside the output directory");
        assertThat(Files.readString(page)).isEqualTo("mine");
        assertThat(ReportCommand.defaultPage(out)).isEqualTo(dir.resolve("out-report.html").toAbsolutePath());
    }

    @Test
    void anUnknownKeyIsRefusedNamingTheKeysThereAre() throws Exception {
        Path out = writeRun("sensor-1", 5);
        assertThatThrownBy(() -> RunReport.render(new RunFiles(out), List.of("sensor-9"), 100))
                .hasMessageContaining("--keys sensor-9: the run has no outputs for that key")
                .hasMessageContaining("sensor-1");
    }

    @Test
    void longSeriesAreDrawnDownsampledAndSaySo() throws Exception {
        Path out = writeRun("k", 500);
        String html = RunReport.render(new RunFiles(out), null, 100).html();
        assertThat(count(html, "100 of 500 points (lowest and highest per stretch)")).isEqualTo(2);
    }

    @Test
    void withoutItsLogAPageStillDrawsTheOutputsAndSaysWhatIsMissing() throws Exception {
        Path out = writeRun("k", 12);
        Files.delete(out.resolve(RunLog.FILE_NAME));
        String html = RunReport.render(new RunFiles(out), null, 100).html();
        assertThat(html).contains("none (" + RunLog.FILE_NAME + " is missing)")
                .contains("Raw values are not shown: the output directory has no run log")
                .contains("data-series=\"output[0]\"").contains("all 12 points")
                .contains("data-reason=\"NON_NUMERIC\" data-count=\"1\""); // the default dead-letter directory
    }

    @Test
    void theFinalStateOfAKeyIsShownWhenTheRunWroteOne() throws Exception {
        Path out = writeRun("k", 4);
        Path state = Files.createDirectories(dir.resolve("state"));
        Files.writeString(state.resolve("part-0-0.jsonl"),
                "{\"key\":\"k\",\"stateKey\":\".mean\",\"shape\":[1],\"dtype\":\"float64\",\"values\":[2.125]}\n"
                + "{\"key\":\"other\",\"stateKey\":\".mean\",\"shape\":[1],\"dtype\":\"float64\",\"values\":[9.5]}\n");
        Files.delete(out.resolve(RunLog.FILE_NAME));
        RunLog.start(out, new RunLog.RunInfo(dir.resolve("in.csv").toString(), "csv", "k", List.of("a"),
                "{\"name\":\"z\",\"module\":{\"type\":\"standardize\"}}", dir.resolve("out-dead-letters").toString(),
                state.toString())).close();
        String html = RunReport.render(new RunFiles(out), null, 100).html();
        assertThat(html).contains("<code>.mean</code></td><td>float64[1]</td><td>2.125</td>").doesNotContain("9.5");
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}

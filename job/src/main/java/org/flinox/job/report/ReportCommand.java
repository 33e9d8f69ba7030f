package org.flinox.job.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flinox-job report --output DIR [--keys K1,K2] [--html FILE]}: the report of the run
 * that wrote {@code DIR}, read from what it left there (its outputs, its run log, its dead letters
 * and final state, and the input it read), so it works on a run done earlier too.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Draw what a run did as one HTML page (inline SVG; opens from disk): throughput, dead letters by "
                + "reason, and per key each feature's raw value and output.")
public final class ReportCommand implements Callable<Integer> {
    /** The most points one line of the report draws by default; beyond, it draws the lowest and highest per stretch. */
    public static final int DEFAULT_MAX_POINTS = 1000;

    @Option(names = "--output", paramLabel = "DIR", required = true,
            description = "The --output directory of the run (a local directory of JSON-lines part files).")
    Path output;

    @Option(names = "--keys", paramLabel = "K1,K2", split = ",",
            description = "The keys to draw; default: the " + RunReport.DEFAULT_KEYS + " with the most outputs.")
    List<String> keys;

    @Option(names = "--html", paramLabel = "FILE", description = "Where the page goes; default: DIR-report.html beside DIR.")
    Path html;

    @Option(names = "--max-points", paramLabel = "N", defaultValue = "" + DEFAULT_MAX_POINTS,
            description = "The most points one line draws (default: ${DEFAULT-VALUE}).")
    int maxPoints;

    @Option(names = "--overwrite", description = "Replace the page when it exists.")
    boolean overwrite;

    @Override
    public Integer call() {
        Path page = html != null ? html : defaultPage(output);
        checkPage(page, output, overwrite, "--html");
        if (!Files.isDirectory(output)) {
            throw new IllegalArgumentException("--output " + output + " is not a directory: give the --output directory of a run");
        }
        if (maxPoints < 4) {
            throw new IllegalArgumentException("--max-points must be at least 4, got " + maxPoints);
        }
        RunReport.Written w = write(output, page, keys, maxPoints);
        System.err.println(line(w, page));
        return 0;
    }

    /** The page's default place: {@code DIR-report.html} beside the output directory. */
    public static Path defaultPage(Path output) {
        Path abs = output.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + "-report.html");
    }

    /**
     * Refuses a page that exists (unless {@code overwrite}) or that would go inside the output
     * directory, where it would be read back as output.
     *
     * @param flag the flag that named the page, for the message
     */
    public static void checkPage(Path page, Path output, boolean overwrite, String flag) {
        Path p = page.toAbsolutePath().normalize();
        if (p.startsWith(output.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException(flag + " " + page + " is inside the output directory " + output
                    + ": put the page elsewhere (e.g. beside it)");
        }
        if (Files.isDirectory(p)) {
            throw new IllegalArgumentException(flag + " " + page + " is a directory: give a file name such as report.html");
        }
        if (Files.exists(p) && !overwrite) {
            throw new IllegalArgumentException(flag + " " + page + " exists: give another file, or pass --overwrite to replace it");
        }
    }

    /** Writes the report of the run in {@code output} to {@code page} (the last step of a run with {@code --report}). */
    public static RunReport.Written write(Path output, Path page, List<String> keys, int maxPoints) {
        RunReport.Written w = RunReport.render(new RunFiles(output), keys, maxPoints);
        try {
            Path parent = page.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(page, w.html(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report " + page + ": " + e.getMessage(), e);
        }
        return w;
    }

    /** What the command prints: where the page is and what it shows. */
    public static String line(RunReport.Written w, Path page) {
        return String.format(Locale.ROOT, "flinox: report of %,d outputs (keys %s) and %,d dead letters: %s",
                w.outputs(), String.join(", ", w.keys()), w.deadLetters(), page.toAbsolutePath().toUri());
    }
}

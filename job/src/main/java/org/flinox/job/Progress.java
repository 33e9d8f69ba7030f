package org.flinox.job;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;

/**
 * What a running job shows on standard error, from its {@link Tally} accumulators (summed over
 * every subtask): an unbounded run prints a progress line every {@code --progress-interval}; a
 * bounded run over local files, on a terminal, redraws a bar over the input's bytes.
 */
final class Progress implements AutoCloseable {
    private static final int BAR_WIDTH = 30;

    private final ScheduledExecutorService timer;
    private final PrintStream err;
    private volatile boolean barDrawn;

    private Progress(ScheduledExecutorService timer, PrintStream err) {
        this.timer = timer;
        this.err = err;
    }

    /** Nothing shown. */
    static Progress none() {
        return new Progress(null, System.err);
    }

    /**
     * @param totalBytes the input's size for the bar, or 0 when there is no bar to draw
     */
    static Progress start(JobClient client, JobSettings s, Duration interval, long totalBytes) {
        PrintStream err = System.err;
        long started = System.nanoTime();
        if (!s.bounded()) {
            if (interval.isZero()) {
                return none();
            }
            Progress p = new Progress(daemonTimer(), err);
            long[] last = {0, started};
            p.timer.scheduleAtFixedRate(() -> {
                Map<String, Object> acc = accumulators(client);
                if (acc == null) {
                    return;
                }
                long now = System.nanoTime();
                RunSummary sum = RunSummary.of(acc, Duration.ofNanos(now - started));
                double rate = (sum.recordsIn() - last[0]) / ((now - last[1]) / 1e9);
                last[0] = sum.recordsIn();
                last[1] = now;
                err.println(sum.progressLine(rate));
            }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
            return p;
        }
        if (totalBytes <= 0 || System.console() == null) {
            return none();
        }
        Progress p = new Progress(daemonTimer(), err);
        p.timer.scheduleAtFixedRate(() -> {
            Map<String, Object> acc = accumulators(client);
            if (acc != null) {
                RunSummary sum = RunSummary.of(acc, Duration.ofNanos(System.nanoTime() - started));
                err.print("\r" + bar(sum.bytesIn(), totalBytes, sum.recordsIn()));
                err.flush();
                p.barDrawn = true;
            }
        }, 500, 500, TimeUnit.MILLISECONDS);
        return p;
    }

    /** A bar such as {@code [#######.......]  45% 12.3 of 27.0 MB, 120,000 records}. */
    static String bar(long bytes, long total, long records) {
        double fraction = Math.max(0, Math.min(1, total == 0 ? 0 : (double) bytes / total));
        int filled = (int) Math.round(fraction * BAR_WIDTH);
        return String.format(Locale.ROOT, "[%s%s] %3d%% %.1f of %.1f MB, %,d records", "#".repeat(filled),
                ".".repeat(BAR_WIDTH - filled), Math.round(fraction * 100), bytes / 1e6, total / 1e6, records);
    }

    private static Map<String, Object> accumulators(JobClient client) {
        try {
            return client.getAccumulators().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null; // finishing, or busy: the next tick tries again
        }
    }

    private static ScheduledExecutorService daemonTimer() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flinox-progress");
            t.setDaemon(true);
            return t;
        });
    }

    /** Stops the updates and clears a drawn bar, so the summary starts on a clean line. */
    @Override
    public void close() {
        if (timer == null) {
            return;
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (barDrawn) {
            err.print("\r" + " ".repeat(BAR_WIDTH + 60) + "\r");
            err.flush();
        }
    }
}

package org.flinox.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.flinox.operators.UpdateCounts;

/**
 * What a run did, from its {@link Tally} accumulators: the summary printed after every bounded
 * run, and the numbers of the progress line.
 *
 * @param recordsIn lines read (every one ends in exactly one of outputs and dead letters)
 * @param bytesIn their bytes (UTF-8, with a line terminator each)
 * @param outputs records the model accepted
 * @param keys distinct keys of the outputs, or -1 when not counted (an unbounded run)
 * @param keysAtLeast whether {@code keys} is only a lower bound (a subtask saw more keys than it keeps)
 * @param deadLetters dead letters by reason, the reasons that occurred, by name
 * @param examples the first few dead letters of each reason, by source and position
 * @param elapsed the wall-clock time of the run
 * @param restarts how often the job restarted from a checkpoint after a failure
 * @param restartCause the first failure's cause in one line, or null when not known (the cluster's logs have it)
 * @param updates the model versions of a run with {@code --model-updates}, or null
 */
record RunSummary(long recordsIn, long bytesIn, long outputs, long keys, boolean keysAtLeast,
        Map<String, Long> deadLetters,
        List<Tally.Example> examples, Duration elapsed, long restarts, String restartCause, Updates updates) {

    /** The version running and the updates applied and refused since the job first started. */
    record Updates(String version, long applied, long refused) {
        static Updates of(Map<String, Object> accumulators) {
            if (!(accumulators.get(MODEL_VERSION) instanceof List<?> version) || version.isEmpty()) {
                return null;
            }
            return new Updates(String.valueOf(version.get(version.size() - 1)),
                    number(accumulators.get(UPDATES_APPLIED)), number(accumulators.get(UPDATES_REFUSED)));
        }

        /** {@code version B (2 updates applied, 1 refused)} */
        String describe() {
            return String.format(Locale.ROOT, "version %s (%,d %s applied, %,d refused)", version, applied,
                    applied == 1 ? "update" : "updates", refused);
        }
    }

    private static final String MODEL_VERSION = UpdateCounts.VERSION;
    private static final String UPDATES_APPLIED = UpdateCounts.APPLIED;
    private static final String UPDATES_REFUSED = UpdateCounts.REFUSED;

    /** The summary of a job's accumulators (as {@code JobClient} or {@code JobExecutionResult} give them). */
    static RunSummary of(Map<String, Object> accumulators, Duration elapsed) {
        Map<String, Long> dead = new TreeMap<>();
        List<Tally.Example> examples = new ArrayList<>();
        accumulators.forEach((name, value) -> {
            if (name.startsWith(Tally.DEAD_PREFIX) && number(value) > 0) {
                dead.put(name.substring(Tally.DEAD_PREFIX.length()), number(value));
            }
        });
        if (accumulators.get(Tally.EXAMPLES) instanceof List<?> list) {
            for (Object o : list) {
                examples.add(Tally.Example.decode(o.toString()));
            }
        }
        examples.sort(Comparator.comparing(Tally.Example::reason).thenComparing(Tally.Example::source)
                .thenComparingLong(Tally.Example::seq));
        Object keys = accumulators.get(Tally.KEYS);
        return new RunSummary(number(accumulators.get(Tally.LINES)), number(accumulators.get(Tally.BYTES)),
                number(accumulators.get(Tally.OUTPUTS)), keys == null ? -1 : number(keys),
                number(accumulators.get(Tally.KEYS_CAPPED)) > 0, dead, examples, elapsed,
                number(accumulators.get(Tally.RESTARTS)), TaskFailures.firstCause(), Updates.of(accumulators));
    }

    private static long number(Object value) {
        if (value instanceof Number n) {
            return n.longValue();
        }
        if (value instanceof LongCounter c) {
            return c.getLocalValue();
        }
        if (value instanceof org.apache.flink.api.common.accumulators.LongMaximum m) {
            return m.getLocalValuePrimitive();
        }
        return 0;
    }

    /** All dead letters. */
    long deadLetterCount() {
        return deadLetters.values().stream().mapToLong(Long::longValue).sum();
    }

    /** True when records came in and every one of them was dead-lettered: a run that did nothing useful. */
    boolean everythingRejected() {
        return outputs == 0 && deadLetterCount() > 0;
    }

    /** Records per second over the whole run. */
    double recordsPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds > 0 ? recordsIn / seconds : 0;
    }

    /** The summary as printed after a bounded run, a few lines. */
    String render(JobSettings s) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "flinox: done in %s: %,d records in (%,.0f records/s), %,d outputs",
                seconds(elapsed), recordsIn, recordsPerSecond(), outputs));
        if (keys >= 0) {
            b.append(String.format(Locale.ROOT, " for %s%,d %s", keysAtLeast ? "at least " : "", keys,
                    keys == 1 ? "key" : "keys"));
        }
        b.append(String.format(Locale.ROOT, ", %,d dead letters%n", deadLetterCount()));
        if (restarts > 0) {
            b.append(String.format(Locale.ROOT, "  restarts:     %d (a task failed; the job went on from its last "
                    + "checkpoint, nothing lost or written twice): %s%n", restarts,
                    restartCause != null ? restartCause : "the cluster's logs say why"));
        }
        if (updates != null) {
            b.append("  model:        ").append(updates.describe()).append(System.lineSeparator());
        }
        b.append("  features:     ").append(String.join(", ", s.features()))
                .append(s.featuresInferred() ? " (inferred: every numeric field but the key; set them with --features)" : "")
                .append(System.lineSeparator());
        if (!deadLetters.isEmpty()) {
            List<String> reasons = new ArrayList<>();
            deadLetters.forEach((reason, n) -> reasons.add(reason + " " + n));
            b.append("  rejected:     ").append(String.join(", ", reasons)).append(System.lineSeparator());
            Map<String, Integer> shown = new TreeMap<>();
            for (Tally.Example e : examples) {
                if (shown.merge(e.reason(), 1, Integer::sum) <= Tally.EXAMPLES_PER_REASON) {
                    b.append(String.format(Locale.ROOT, "    %s seq %d, %s: %s%n", e.source(), e.seq(), e.reason(),
                            e.detail()));
                }
            }
        }
        b.append("  outputs:      ").append(where(s.output(), "standard output")).append(System.lineSeparator());
        b.append("  dead letters: ").append(where(s.deadLetters(), "standard error")).append(System.lineSeparator());
        if (s.finalState() != null) {
            b.append("  final state:  ").append(s.finalState()).append(System.lineSeparator());
        }
        if (s.finalSavepoint() != null) {
            b.append("  savepoint:    ").append(s.finalSavepoint()).append(" (continue with --restore ")
                    .append(s.finalSavepoint()).append(')').append(System.lineSeparator());
        }
        return b.toString();
    }

    /** The progress line of a running job. */
    String progressLine(double recordsPerSecondNow) {
        return String.format(Locale.ROOT, "flinox: running %s: %,d records in (%,.0f/s), %,d outputs, %,d dead letters",
                seconds(elapsed), recordsIn, recordsPerSecondNow, outputs, deadLetterCount())
                + (updates == null ? "" : ", model " + updates.describe());
    }

    private static String where(String location, String otherwise) {
        return location == null ? otherwise : location;
    }

    static String seconds(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
        }
        return s < 3600 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60)
                : String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
    }
}

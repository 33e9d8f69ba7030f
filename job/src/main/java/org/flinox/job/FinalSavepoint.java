package org.flinox.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.flinox.job.state.InspectCommand;

/**
 * {@code --final-savepoint}: once a bounded run's readers have read everything
 * ({@link BoundedInput} holds them open), the job is stopped with a savepoint, which holds what
 * any savepoint holds (the model's state, the sinks', the source's positions), so a restore
 * with the same {@code --input} and {@code --output} reads nothing again and writes nothing
 * twice, and a restore with another input reads that one from its start.
 */
final class FinalSavepoint {
    private static final long POLL_MILLIS = 200;
    /** Stop-with-savepoint attempts, about 3 minutes of them: a model task restoring a large state takes a while. */
    private static final int MAX_ATTEMPTS = 60;

    private FinalSavepoint() {}

    /**
     * Waits for every reader to be drained, stops the job with a savepoint and moves it into
     * {@code s.finalSavepoint()}; with {@code --final-state}, writes that state as JSON lines too.
     * Returns when the job has stopped or failed (the caller reads its result).
     *
     * @param readers the input's parallelism: how many readers must drain
     */
    static void take(JobClient client, JobSettings s, int readers) throws Exception {
        while (!drained(client, readers)) {
            if (client.getJobStatus().get().isGloballyTerminalState()) {
                return; // it failed (or was cancelled): the result says why
            }
            Thread.sleep(POLL_MILLIS);
        }
        // Flink puts a savepoint in a new directory under the target; a canonical savepoint is
        // relocatable (its files are named relative to _metadata), so it is moved up into DIR
        java.nio.file.Path local = OutputLocations.localPath(s.finalSavepoint());
        String target = local != null ? local.toUri().toString() : s.finalSavepoint(); // not relative to a JobManager
        String written = stop(client, target);
        if (written == null) {
            return;
        }
        moveUp(new Path(written), new Path(target));
        if (s.finalState() != null) {
            writeState(s);
        }
    }

    /**
     * Stop-with-savepoint, again while it is declined because a task is not running yet (a
     * restored model task may still be restoring when the reader is already drained).
     *
     * @return the savepoint's path, or null when the job ended meanwhile
     */
    private static String stop(JobClient client, String dir) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return client.stopWithSavepoint(false, dir, SavepointFormatType.CANONICAL).get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (client.getJobStatus().get().isGloballyTerminalState()) {
                    return null;
                }
                if (attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
                Thread.sleep(POLL_MILLIS * attempt);
            }
        }
    }

    private static boolean drained(JobClient client, int readers) throws Exception {
        Map<String, Object> acc;
        try {
            acc = client.getAccumulators().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return false; // busy, or not running yet: ask again
        }
        return count(acc.get(Tally.READERS)) >= readers && count(acc.get(Tally.READERS_DRAINED)) >= readers;
    }

    private static long count(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }

    /** The files of {@code savepoint} into its parent {@code dir}, then the emptied directory removed. */
    private static void moveUp(Path savepoint, Path dir) throws IOException {
        FileSystem fs = savepoint.getFileSystem();
        Path qualifiedDir = dir.makeQualified(fs);
        if (savepoint.makeQualified(fs).equals(qualifiedDir)) {
            return;
        }
        for (FileStatus f : fs.listStatus(savepoint)) {
            Path target = new Path(qualifiedDir, f.getPath().getName());
            if (!fs.rename(f.getPath(), target)) {
                throw new IOException("cannot move " + f.getPath() + " to " + target);
            }
        }
        fs.delete(savepoint, false);
    }

    /** {@code --final-state}: the savepoint's rows, as {@code inspect} prints them. */
    private static void writeState(JobSettings s) throws Exception {
        List<String> lines = InspectCommand.read(s.model(), s.finalSavepoint(), null,
                s.flink().get("state.backend.type"));
        Path dir = new Path(s.finalState());
        FileSystem fs = dir.getFileSystem();
        fs.mkdirs(dir);
        try (FSDataOutputStream out = fs.create(new Path(dir, "part-final-state-0.jsonl"), FileSystem.WriteMode.NO_OVERWRITE)) {
            for (String line : lines) {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write --final-state " + s.finalState() + ": " + e.getMessage(), e);
        }
    }
}

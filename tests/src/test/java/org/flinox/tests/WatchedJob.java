package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.flinox.job.JobPipeline;
import org.flinox.job.JobRunner;
import org.flinox.job.JobSettings;

/**
 * The real job watching a directory on an embedded MiniCluster, driven as an operator would:
 * drop files in, wait for their outputs to be committed, stop with a savepoint.
 */
final class WatchedJob implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final Path inputDir;
    private final Path outputDir;
    private final JobClient client;
    private boolean ended;

    private WatchedJob(Path inputDir, Path outputDir, JobClient client) {
        this.inputDir = inputDir;
        this.outputDir = outputDir;
        this.client = client;
    }

    /** Starts the job with {@code --watch} on {@code inputDir} plus the given flags. */
    static WatchedJob start(Path inputDir, Path outputDir, String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("--input", inputDir.toString(), "--watch",
                "--watch-interval", "100ms", "--output", outputDir.toString(), "--checkpoint-interval", "200"));
        args.addAll(List.of(flags));
        JobSettings settings = JobRunner.settings(args.toArray(new String[0]));
        StreamExecutionEnvironment env = JobRunner.environment(settings);
        JobPipeline.build(env, settings);
        return new WatchedJob(inputDir, outputDir, env.executeAsync(JobRunner.jobName(settings)));
    }

    /** Moves a complete file into the watched directory, as a producer should. */
    void feed(Path file, long arrivalMillis) throws Exception {
        file.toFile().setLastModified(arrivalMillis);
        Files.move(file, inputDir.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Waits until {@code count} output lines are committed in total. */
    void awaitOutputs(int count) throws Exception {
        awaitCommitted(outputDir, "outputs", count);
    }

    /** Waits until {@code count} dead letters are committed in total (beside the output, by default). */
    void awaitDeadLetters(int count) throws Exception {
        awaitCommitted(outputDir.resolveSibling(outputDir.getFileName() + "-dead-letters"), "dead letters", count);
    }

    private void awaitCommitted(Path dir, String what, int count) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            seen = JobFiles.committedSoFar(dir).size();
            if (seen >= count) {
                assertThat(seen).as("committed " + what).isEqualTo(count);
                return;
            }
            if (client.getJobStatus().get().isGloballyTerminalState()) {
                client.getJobExecutionResult().get(); // throws the job's failure
                throw new AssertionError("the job ended with " + seen + " of " + count + " " + what);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out with " + seen + " of " + count + " " + what + " committed");
    }

    /** Stops the job with a canonical savepoint under {@code dir} and returns its path. */
    String stopWithSavepoint(Path dir) throws Exception {
        String path = client.stopWithSavepoint(false, dir.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        ended = true; // the embedded MiniCluster goes away with the job
        return path;
    }

    /** The job's end: its failure, if it failed. */
    Throwable awaitFailure() throws Exception {
        try {
            client.getJobExecutionResult().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } finally {
            ended = true;
        }
    }

    @Override
    public void close() throws Exception {
        if (!ended) {
            client.cancel().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }
}

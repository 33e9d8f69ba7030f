package org.flinox.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.util.concurrent.ExecutionException;
import org.apache.flink.runtime.client.JobExecutionException;
import org.apache.flink.runtime.jobmanager.scheduler.NoResourceAvailableException;
import org.apache.flink.util.FlinkException;
import org.junit.jupiter.api.Test;

/** The one line a failed command prints: a start-up mistake as it is, a job failure ending with its root cause. */
class FailureMessageTest {

    @Test
    void aJobFailureEndsWithItsRootCause() {
        Throwable failed = new ExecutionException(new FlinkException("Failed to execute job 'flinox m'.",
                new JobExecutionException(null, "Job execution failed.",
                        new RuntimeException(new NoResourceAvailableException("Could not acquire the minimum required resources.")))));
        assertThat(FlinoxCli.message(failed)).startsWith("FlinkException: Failed to execute job 'flinox m'.")
                .endsWith("Cause: NoResourceAvailableException: Could not acquire the minimum required resources.");
    }

    @Test
    void aRootCauseWithoutAMessageIsNamedByItsType() {
        Throwable failed = new FlinkException("Failed to execute job 'flinox m'.", new RuntimeException(new EOFException()));
        assertThat(FlinoxCli.message(failed)).endsWith("Cause: EOFException");
    }

    @Test
    void aMistakeFoundAtStartIsItsOwnMessage() {
        Throwable mistake = new IllegalArgumentException("--restore nope does not exist");
        assertThat(FlinoxCli.message(mistake)).isEqualTo("--restore nope does not exist");
    }
}

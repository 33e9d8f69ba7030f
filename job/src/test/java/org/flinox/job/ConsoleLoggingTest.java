package org.flinox.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.runtime.checkpoint.CheckpointException;
import org.apache.flink.runtime.checkpoint.CheckpointFailureReason;
import org.apache.flink.util.SerializedThrowable;
import org.junit.jupiter.api.Test;

/** The console drops the stack traces of checkpoints that met finishing tasks, and nothing else. */
class ConsoleLoggingTest {

    @Test
    void aCheckpointDeclinedByAClosingTaskIsBenignEvenSerializedAndWrapped() {
        Throwable declined = new SerializedThrowable(new CheckpointException(
                "Task name with subtask : Source: input -> parse (1/1)#0",
                CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_CLOSING));
        assertThat(BenignCheckpointRaces.isBenign(declined)).isTrue();
        assertThat(BenignCheckpointRaces.isBenign(new RuntimeException(declined))).isTrue();
        assertThat(BenignCheckpointRaces.isBenign(new IllegalStateException(
                "Trying to open gateway for unseen checkpoint: latest known checkpoint = 18, incoming checkpoint = 19")))
                .isTrue();
    }

    @Test
    void otherFailuresStayLoud() {
        assertThat(BenignCheckpointRaces.isBenign(new CheckpointException(
                CheckpointFailureReason.IO_EXCEPTION))).isFalse();
        assertThat(BenignCheckpointRaces.isBenign(new RuntimeException("disk full"))).isFalse();
        assertThat(BenignCheckpointRaces.isBenign(null)).isFalse();
    }
}

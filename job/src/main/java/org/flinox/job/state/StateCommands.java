package org.flinox.job.state;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What {@code inspect} and {@code bootstrap} share: the Flink environment they run their State Processor API job on.
 */
final class StateCommands {

    private StateCommands() {}

    /**
     * A path as Flink's file systems take it: a URI as given ({@code s3://}, {@code file:}),
     * a local path made absolute.
     */
    static String uri(String path) {
        if (path.contains("://") || path.startsWith("file:")) {
            return path;
        }
        return java.nio.file.Path.of(path).toAbsolutePath().normalize().toUri().toString();
    }

    /**
     * The environment of {@code inspect}'s job: the same backend, and, as in every Flinox job,
     * no Kryo fallback ({@code pipeline.generic-types: false}).
     */
    static StreamExecutionEnvironment readerEnvironment(String backend) {
        return environment(backend, false);
    }

    /**
     * The environment of {@code bootstrap}'s job. Here {@code pipeline.generic-types} must stay
     * on: Flink 2.3's {@code SavepointWriter} passes its own per-subtask and per-operator
     * snapshot metadata ({@code TaggedOperatorSubtaskState}, {@code OperatorState},
     * {@code CheckpointMetadata}) between its operators as generic types, and fails with
     * generic types disabled. Those are a handful of objects per subtask in a bounded job,
     * never stored in that form (the savepoint's {@code _metadata} has its own format).
     * Flinox's own records and state still never use Kryo: {@link StateSavepointWriter} checks
     * that its stream's type is not generic, and the state goes through {@code StateSerializer}.
     */
    static StreamExecutionEnvironment writerEnvironment(String backend) {
        return environment(backend, true);
    }

    private static StreamExecutionEnvironment environment(String backend, boolean genericTypes) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("state.backend.type", StateBackendOption.name(backend));
        c.put("pipeline.generic-types", Boolean.toString(genericTypes));
        return StreamExecutionEnvironment.getExecutionEnvironment(Configuration.fromMap(c));
    }
}

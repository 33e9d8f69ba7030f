package org.flinox.job;

import java.time.Duration;
import java.util.List;
import org.flinox.job.input.InputFormat;
import org.flinox.job.kafka.KafkaAddress;
import org.flinox.job.kafka.KafkaSettings;
import org.flinox.job.spec.SpecModelFactory;
import org.flinox.operators.KeyBundles;

/**
 * Everything a run needs, resolved from the flags: defaults filled in, features known,
 * the model built once (so a bad spec fails before anything starts).
 *
 * @param input the file or directory to read, or {@code kafka://HOST:PORT/TOPIC}
 * @param format the format of every file, or null to go by extension
 * @param keyField the key field, or null for one global key
 * @param features the feature fields, in order
 * @param featuresInferred whether the features were inferred from the input (no {@code --features})
 * @param model the model's factory
 * @param output the output directory, or null for standard output
 * @param deadLetters the dead-letter directory, or null for standard error
 * @param watch how often to list a watched directory, or null for a bounded run
 * @param parallelism the model operator's parallelism, or null for Flink's default
 * @param maxParallelism the number of key groups
 * @param flink the Flink configuration (state backend, checkpoints, restart strategy, restore)
 * @param stateTtl idle-state time to live, or null
 * @param resetState state entries to start over on restore
 * @param finalState where a bounded run writes every key's final state, or null
 * @param savepointDir where a stand-alone watching run stops with a savepoint, or null
 * @param finalSavepoint where a bounded run leaves a savepoint of its final state, or null
 * @param kafka the Kafka settings when the input or an output is {@code kafka://}, or null
 * @param bundles key bundles, or {@link KeyBundles#OFF}
 * @param stateCacheBytes the model operator's state cache per subtask, in bytes; 0: off
 * @param temporaryCheckpointDir the checkpoint directory this run created for itself (deleted
 *     when it succeeds), or null when the user or the cluster named one
 * @param verbose whether Flink logs every checkpoint
 * @param serving where each checkpoint's changed keys go ({@code --state-changelog}, {@code --state-sink})
 * @param modelUpdates the directory of model updates ({@code --model-updates}), or null
 * @param initialVersion the version outputs carry before the first update: the {@code --weights}
 *     file's name without {@code .npz}, or {@code initial}; null without {@code --model-updates}
 */
public record JobSettings(
        String input,
        InputFormat format,
        String keyField,
        List<String> features,
        boolean featuresInferred,
        SpecModelFactory model,
        String output,
        String deadLetters,
        Duration watch,
        Integer parallelism,
        int maxParallelism,
        java.util.Map<String, String> flink,
        Duration stateTtl,
        java.util.Set<String> resetState,
        String finalState,
        String savepointDir,
        String finalSavepoint,
        KafkaSettings kafka,
        KeyBundles bundles,
        long stateCacheBytes,
        String temporaryCheckpointDir,
        boolean verbose,
        ServingSinks serving,
        String modelUpdates,
        String initialVersion) {

    /** Whether the input ends: files without {@code --watch}, or a Kafka topic with {@code --bounded}. */
    public boolean bounded() {
        return KafkaAddress.isKafka(input) ? kafka != null && kafka.bounded() : watch == null;
    }

    /** The default directory for dead letters: beside the output directory (for Kafka, the topic {@code TOPIC-dead-letters}). */
    static String deadLettersBeside(String output) {
        String trimmed = output.endsWith("/") ? output.substring(0, output.length() - 1) : output;
        return trimmed + "-dead-letters";
    }

    /** A temporary directory for checkpoints of a stand-alone run. */
    static String createTemporaryCheckpointDir() {
        try {
            return java.nio.file.Files.createTempDirectory("flinox-checkpoints").toUri().toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create a temporary checkpoint directory", e);
        }
    }
}

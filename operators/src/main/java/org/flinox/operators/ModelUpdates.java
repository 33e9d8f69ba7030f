package org.flinox.operators;

import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The control stream of a model: new weights while the job runs ({@link Flinox#apply}). Each
 * update goes to every parallel instance of the model operator, which applies it between two
 * records, or refuses it to {@link ModelStream#refusedUpdates()} ({@link ModelVersions} has the
 * rule); every output then carries the version that computed it ({@link ModelOutput#modelVersion}).
 *
 * @param stream the updates, in the order they are to apply
 * @param initialVersion the version of the weights the model starts with (the job: the
 *     {@code --weights} file's name without {@code .npz}, or {@code initial})
 */
public record ModelUpdates(DataStream<ModelUpdate> stream, String initialVersion) {

    public ModelUpdates {
        if (initialVersion == null || initialVersion.isBlank()) {
            throw new IllegalArgumentException("the initial version must be given, got '" + initialVersion + "'");
        }
    }
}

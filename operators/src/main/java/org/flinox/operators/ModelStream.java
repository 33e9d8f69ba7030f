package org.flinox.operators;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * What {@link Flinox#apply} gives back: the model's outputs, and its side outputs.
 *
 * @param outputs one {@link ModelOutput} per accepted element; the model operator itself, so
 *     its parallelism, name or slot sharing can be set on it
 * @param deadLetterTag the side output of the elements the model could not use
 * @param <T> the stream's element type
 */
public record ModelStream<T>(SingleOutputStreamOperator<ModelOutput<T>> outputs, OutputTag<Rejected<T>> deadLetterTag) {

    /** The elements the model could not use, with their reason; each key's state was left as it was. */
    public DataStream<Rejected<T>> deadLetters() {
        return outputs.getSideOutput(deadLetterTag);
    }

    /**
     * The model updates that were refused ({@link ModelUpdates}), with their reason and without
     * their bytes: the control stream's dead letters, each once (from the first parallel instance).
     */
    public DataStream<Rejected<ModelUpdate>> refusedUpdates() {
        return outputs.getSideOutput(ModelVersions.REFUSED);
    }

    /** Every key's state when a bounded input ends (with {@link ModelSettings#withFinalState}), one row per entry. */
    public DataStream<FinalState.Row> finalState() {
        return outputs.getSideOutput(FinalState.TAG);
    }

    /**
     * Each key whose state changed since the previous checkpoint, with its state as that
     * checkpoint holds it, emitted before the checkpoint's barrier (with
     * {@link ModelSettings#withStateChanges}): a changelog an exactly-once sink commits with the
     * checkpoint.
     */
    public DataStream<StateChange> stateChanges() {
        return outputs.getSideOutput(StateChange.TAG);
    }
}

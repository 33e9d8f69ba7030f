package org.flinox.operators;

import org.apache.flink.util.OutputTag;
import org.flinox.nn.DType;
import org.flinox.nn.Tensor;

/**
 * The state every stream key holds when a bounded input ends, emitted by {@link ModelOperator}
 * so a backfill can warm the state of the streaming run that follows.
 */
public final class FinalState {

    /**
     * One entry of one key; plain fields, so Flink serializes it without Kryo.
     *
     * @param key the stream key, as {@code String.valueOf} writes it
     * @param stateKey the entry's name ({@code .inStats.first})
     * @param dtype {@code float32} or {@code float64}
     * @param shape the entry's shape
     * @param values its values, row-major
     */
    public record Row(String key, String stateKey, String dtype, int[] shape, double[] values) {

        static Row of(String key, String stateKey, Tensor value) {
            return new Row(key, stateKey, value.dtype().numpyName(), value.shape(), value.toArray());
        }

        public StateRow toStateRow() {
            return new StateRow(key, stateKey, Tensor.of(DType.parse(dtype), shape, values));
        }
    }

    /** The side output of final state rows. */
    public static final OutputTag<Row> TAG = new OutputTag<>("final-state") {};

    private FinalState() {}
}

package org.flinox.bench;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.array.DoublePrimitiveArraySerializer;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.ModelOutput;

/** The seed MLP written by hand: plain loops, both Moments packed in one {@code ValueState<double[]>}. */
final class HandWrittenMlp extends KeyedProcessFunction<String, FeatureRecord, ModelOutput<FeatureRecord>> {
    private static final long serialVersionUID = 1L;

    private final int hidden;
    private transient PlainMlp mlp;
    private transient ValueState<double[]> moments;

    HandWrittenMlp(int hidden) {
        this.hidden = hidden;
    }

    @Override
    public void open(OpenContext context) {
        mlp = new PlainMlp(BenchModels.mlp(hidden));
        moments = getRuntimeContext().getState(
                new ValueStateDescriptor<>("moments", DoublePrimitiveArraySerializer.INSTANCE));
    }

    @Override
    public void processElement(FeatureRecord r, Context ctx, Collector<ModelOutput<FeatureRecord>> out) throws Exception {
        double[] s = moments.value();
        if (s == null) {
            s = mlp.init();
        }
        double[] y = new double[mlp.out()];
        mlp.forward(s, r.features(), y);
        moments.update(s);
        out.collect(new ModelOutput<>(r, y));
    }
}

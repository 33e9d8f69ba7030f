package org.flinox.bench;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.array.DoublePrimitiveArraySerializer;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.ModelOutput;

/**
 * What a Flink user would write instead of Flinox's Standardize: one {@code ValueState<double[]>}
 * holding count, mean and m2 packed, one get and one put per record.
 */
final class HandWrittenStandardize extends KeyedProcessFunction<String, FeatureRecord, ModelOutput<FeatureRecord>> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<double[]> welford;

    @Override
    public void open(OpenContext context) {
        welford = getRuntimeContext().getState(
                new ValueStateDescriptor<>("welford", DoublePrimitiveArraySerializer.INSTANCE));
    }

    @Override
    public void processElement(FeatureRecord r, Context ctx, Collector<ModelOutput<FeatureRecord>> out) throws Exception {
        out.collect(new ModelOutput<>(r, standardize(welford, r.features())));
    }

    /** One Welford step of {@code x} on the key's state (one get, one put): {@code x}'s z-scores. */
    static double[] standardize(ValueState<double[]> welford, double[] x) throws Exception {
        double[] s = welford.value();
        if (s == null) {
            s = PlainWelford.init(x.length);
        }
        double[] z = new double[x.length];
        PlainWelford.update(s, x, z);
        welford.update(s);
        return z;
    }
}

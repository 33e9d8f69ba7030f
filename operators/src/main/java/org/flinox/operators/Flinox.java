package org.flinox.operators;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * Flinox in your own Flink job: a model applied to a keyed {@code DataStream<T>}, each key's
 * state in Flink keyed state.
 *
 * <pre>{@code
 * DataStream<Reading> readings = env.fromSource(source, WatermarkStrategy.noWatermarks(), "readings");
 * ModelFactory model = ModelFactory.of("sensors", 2, () -> Standardize.create(2));
 * ModelStream<Reading> scored = Flinox.apply(
 *         readings.keyBy(Reading::sensor, Types.STRING),
 *         model,
 *         r -> new double[] {r.temperature(), r.humidity()});
 * scored.outputs().map(o -> o.input().sensor() + " " + Arrays.toString(o.output())).returns(Types.STRING)
 *         .sinkTo(sink);
 * scored.deadLetters().map(d -> d.reason() + " " + d.detail()).returns(Types.STRING).print();
 * }</pre>
 *
 * <p>The key is any type Flink can key by. Each key's whole {@code State} is one value of one
 * keyed {@code ValueState} named {@value ModelState#NAME}, its layout in the serializer's
 * snapshot, and the operator's uid comes from the model's name ({@link OperatorIds#model}): a
 * savepoint maps back to it, and a changed model restores by Flink's schema compatibility (added
 * entries start from their initial values, dropped ones are let go, a changed shape or dtype is
 * refused unless {@link ModelSettings#resetState} names it). Outputs carry the element they are
 * for; the elements the model cannot use go to {@link ModelStream#deadLetters()}, with their
 * reason. Neither records nor state ever go through Kryo: the output and dead-letter types are
 * built from the input's ({@link ModelOutput#typeInfo}, {@link Rejected#typeInfo}).
 * {@link ModelSettings} holds the state TTL, the state cache and key bundles, with the
 * command-line job's defaults; the job builds its own model operator here too.
 */
public final class Flinox {

    private Flinox() {}

    /** The model over {@code input} with {@link ModelSettings#defaults()}. */
    public static <T, K> ModelStream<T> apply(KeyedStream<T, K> input, ModelFactory model, FeatureFunction<T> features) {
        return apply(input, model, features, ModelSettings.defaults());
    }

    /** The model over {@code input}, keyed by {@code key} (of type {@code keyType}). */
    public static <T, K> ModelStream<T> apply(DataStream<T> input, KeySelector<T, K> key, TypeInformation<K> keyType,
            ModelFactory model, FeatureFunction<T> features, ModelSettings settings) {
        return apply(input.keyBy(key, keyType), model, features, settings);
    }

    /**
     * The model over {@code input}: one operator named {@code model NAME}, with uid
     * {@link OperatorIds#model}{@code (NAME)}.
     *
     * @param input the stream, keyed: each key has its own state
     * @param model the model: a built-in module or your own ({@link ModelFactory#of})
     * @param features each element's features, as many as the model takes
     * @param settings the state TTL, resets, the state cache, key bundles and final state
     */
    public static <T, K> ModelStream<T> apply(KeyedStream<T, K> input, ModelFactory model, FeatureFunction<T> features,
            ModelSettings settings) {
        TypeInformation<T> type = input.getType();
        OutputTag<Rejected<T>> rejected = Rejected.tag(type);
        SingleOutputStreamOperator<ModelOutput<T>> outputs = input
                .transform("model " + model.name(), ModelOutput.typeInfo(type),
                        new ModelOperator<K, T>(model, features, rejected, settings))
                .uid(OperatorIds.model(model.name()));
        return new ModelStream<>(outputs, rejected);
    }

    /**
     * The model over {@code input}, taking new weights from {@code updates} while it runs: each
     * update reaches every parallel instance (broadcast) and applies between two records, or is
     * refused to {@link ModelStream#refusedUpdates()}; each output carries its
     * {@link ModelOutput#modelVersion}. The version in force is in the checkpoints.
     */
    public static <T, K> ModelStream<T> apply(KeyedStream<T, K> input, ModelFactory model, FeatureFunction<T> features,
            ModelSettings settings, ModelUpdates updates) {
        TypeInformation<T> type = input.getType();
        OutputTag<Rejected<T>> rejected = Rejected.tag(type);
        SingleOutputStreamOperator<ModelOutput<T>> outputs = input.connect(updates.stream().broadcast())
                .transform("model " + model.name(), ModelOutput.typeInfo(type),
                        new ModelOperator<K, T>(model, features, rejected, settings, updates.initialVersion()))
                .uid(OperatorIds.model(model.name()));
        return new ModelStream<>(outputs, rejected);
    }
}

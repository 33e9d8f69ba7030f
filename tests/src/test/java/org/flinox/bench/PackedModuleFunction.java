package org.flinox.bench;

import java.io.IOException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.flinox.nn.Module;
import org.flinox.nn.Result;
import org.flinox.nn.State;
import org.flinox.nn.StateExport;
import org.flinox.nn.Tensor;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.ModelFactory;
import org.flinox.operators.ModelOutput;
import org.flinox.operators.TensorSerializer;

/**
 * A what-if, not the product: {@link org.flinox.operators.ModuleFunction}'s per-record path
 * with the whole tree's state packed into ONE {@code ValueState<Tensor[]>} (one RocksDB get
 * and one put per record) instead of one ValueState per StateKey. It measures what an
 * opt-in packed layout would buy; the design pins the per-StateKey layout.
 */
final class PackedModuleFunction extends KeyedProcessFunction<String, FeatureRecord, ModelOutput> {
    private static final long serialVersionUID = 1L;

    private final ModelFactory factory;
    private transient Module module;
    private transient State initial;
    private transient ValueState<Tensor[]> packed;
    private transient Tensor[] initialValues;

    PackedModuleFunction(ModelFactory factory) {
        this.factory = factory;
    }

    @Override
    public void open(OpenContext context) {
        StateExport.Exported<Module> e = StateExport.exportState(factory.create());
        module = e.module();
        initial = e.state();
        initialValues = new Tensor[initial.size()];
        for (int i = 0; i < initialValues.length; i++) {
            initialValues[i] = initial.valueAt(i);
        }
        packed = getRuntimeContext().getState(new ValueStateDescriptor<>("packed", new Serializer()));
    }

    @Override
    public void processElement(FeatureRecord r, Context ctx, Collector<ModelOutput> out) throws Exception {
        Tensor[] stored = packed.value();
        State state = initial.withValues(stored != null ? stored : initialValues);
        Result<double[]> result = module.forward(r.features(), state);
        State next = result.state();
        Tensor[] values = new Tensor[next.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = next.valueAt(i);
        }
        packed.update(values);
        out.collect(new ModelOutput(r.key(), r.source(), r.seq(), result.output()));
    }

    /** The entry count, then each entry in TensorSerializer's format. */
    public static final class Serializer extends TypeSerializerSingleton<Tensor[]> {
        private static final long serialVersionUID = 1L;
        private static final TensorSerializer TENSOR = new TensorSerializer();

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public Tensor[] createInstance() {
            return new Tensor[0];
        }

        @Override
        public Tensor[] copy(Tensor[] from) {
            return from.clone();
        }

        @Override
        public Tensor[] copy(Tensor[] from, Tensor[] reuse) {
            return from.clone();
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(Tensor[] values, DataOutputView out) throws IOException {
            out.writeInt(values.length);
            for (Tensor t : values) {
                TENSOR.serialize(t, out);
            }
        }

        @Override
        public Tensor[] deserialize(DataInputView in) throws IOException {
            Tensor[] values = new Tensor[in.readInt()];
            for (int i = 0; i < values.length; i++) {
                values[i] = TENSOR.deserialize(in);
            }
            return values;
        }

        @Override
        public Tensor[] deserialize(Tensor[] reuse, DataInputView in) throws IOException {
            return deserialize(in);
        }

        @Override
        public void copy(DataInputView in, DataOutputView out) throws IOException {
            serialize(deserialize(in), out);
        }

        @Override
        public TypeSerializerSnapshot<Tensor[]> snapshotConfiguration() {
            return new Snapshot();
        }

        /** For Flink's reflective restore. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<Tensor[]> {
            public Snapshot() {
                super(Serializer::new);
            }
        }
    }
}

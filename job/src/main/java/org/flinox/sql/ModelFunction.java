package org.flinox.sql;

import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Optional;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.table.functions.TableSemantics;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.CallContext;
import org.apache.flink.table.types.inference.StateTypeStrategy;
import org.apache.flink.table.types.inference.StaticArgument;
import org.apache.flink.table.types.inference.StaticArgumentTrait;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.types.ColumnList;
import org.apache.flink.types.Row;
import org.apache.flink.util.TimeUtils;
import org.flinox.nn.State;
import org.flinox.operators.DeadLetterReason;
import org.flinox.operators.KeyedModel;

/**
 * Every Flinox model as a Flink SQL Process Table Function (FLIP-440): per-key state in Flink
 * managed state, the same modules and the same math as the job.
 *
 * <pre>{@code
 * CREATE FUNCTION flinox AS 'org.flinox.sql.ModelFunction';
 * SELECT * FROM flinox(
 *     input    => TABLE sensors PARTITION BY sensor,
 *     features => DESCRIPTOR(temperature, humidity),
 *     model    => '{"name":"sensors","module":{"type":"standardize"}}',
 *     uid      => 'sensors');
 * }</pre>
 *
 * <p>Output: the partition key; the input's other columns unchanged; the model's output
 * ({@code <feature>_z DOUBLE} per feature for a {@code standardize} root, otherwise
 * {@code output ARRAY<DOUBLE>}); {@code status}, {@code ok} or the reason the row was not used
 * ({@code MISSING_FIELD} for a NULL feature, {@code NOT_FINITE}, {@code FORWARD_FAILED}). A row
 * that is not {@code ok} has NULL model output and leaves the key's state as it was.
 *
 * <p>State: one entry {@code model}, a ROW with one field per {@code StateKey} (see
 * {@link StateRowType}). {@code state_ttl} ({@code '7 d'}) drops a key's state after that long
 * without an update; without it, Flink's {@code table.exec.state.ttl} applies. {@code uid} is
 * Flink's own PTF argument: it names the state in savepoints, so keep it stable.
 */
public class ModelFunction extends ProcessTableFunction<Row> {
    private static final long serialVersionUID = 1L;

    /** The argument names, in order. */
    static final String INPUT = "input";
    static final String FEATURES = "features";
    static final String MODEL = "model";
    static final String WEIGHTS = "weights";
    static final String STATE_TTL = "state_ttl";
    /** The name of the state entry. */
    static final String STATE = "model";
    /** The positions of the scalar arguments in a call (the table is 0). */
    private static final int FEATURES_AT = 1;
    private static final int MODEL_AT = 2;
    private static final int WEIGHTS_AT = 3;
    private static final int STATE_TTL_AT = 4;

    private transient ModelCall call;
    private transient KeyedModel keyedModel;

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        LinkedHashMap<String, StateTypeStrategy> state = new LinkedHashMap<>();
        state.put(STATE, new StateTypeStrategy() {
            @Override
            public Optional<DataType> inferType(CallContext context) {
                return Optional.of(resolve(context).state().dataType());
            }

            @Override
            public Optional<Duration> getTimeToLive(CallContext context) {
                return context.getArgumentValue(STATE_TTL_AT, String.class).map(ModelFunction::parseTtl);
            }
        });
        return TypeInference.newBuilder()
                .staticArguments(
                        StaticArgument.table(INPUT, Row.class, false, EnumSet.of(StaticArgumentTrait.SET_SEMANTIC_TABLE)),
                        StaticArgument.scalar(FEATURES, DataTypes.DESCRIPTOR(), false),
                        StaticArgument.scalar(MODEL, DataTypes.STRING(), false),
                        StaticArgument.scalar(WEIGHTS, DataTypes.STRING(), true),
                        StaticArgument.scalar(STATE_TTL, DataTypes.STRING(), true))
                .stateTypeStrategies(state)
                .outputTypeStrategy(context -> Optional.of(resolve(context).outputType()))
                .build();
    }

    /** The call as the planner sees it: a mistake in it fails the statement with what to fix. */
    private static ModelCall resolve(CallContext context) {
        TableSemantics input = context.getTableSemantics(0)
                .orElseThrow(() -> new ValidationException("input: expected TABLE ... PARTITION BY key"));
        if (!context.isArgumentLiteral(FEATURES_AT) || !context.isArgumentLiteral(MODEL_AT)
                || (!context.isArgumentNull(WEIGHTS_AT) && !context.isArgumentLiteral(WEIGHTS_AT))) {
            throw new ValidationException("features, model and weights must be literals: DESCRIPTOR(a, b),"
                    + " '{...}' or 'path/spec.json', 'path/weights.npz'");
        }
        ColumnList features = context.getArgumentValue(FEATURES_AT, ColumnList.class)
                .orElseThrow(() -> new ValidationException("features: expected DESCRIPTOR(column, ...)"));
        String model = context.getArgumentValue(MODEL_AT, String.class).orElse(null);
        String weights = context.isArgumentNull(WEIGHTS_AT) ? null
                : context.getArgumentValue(WEIGHTS_AT, String.class).orElse(null);
        if (!context.isArgumentNull(STATE_TTL_AT)) {
            context.getArgumentValue(STATE_TTL_AT, String.class).ifPresent(ModelFunction::parseTtl);
        }
        return ModelCall.resolve(input.dataType(), input.partitionByColumns(), features.getNames(), model, weights);
    }

    private static Duration parseTtl(String text) {
        try {
            return TimeUtils.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new ValidationException("state_ttl: '" + text + "' is not a duration (e.g. '7 d', '12 h', '30 min'): "
                    + e.getMessage(), e);
        }
    }

    /**
     * One row of the partition: read the key's state, the step rule ({@link KeyedModel#step}, the
     * DataStream operator's), write the changed entries back, emit.
     */
    public void eval(Context ctx, Row state, Row input, ColumnList features, String model, String weights,
            String stateTtl) {
        if (call == null) {
            resolveOnce(ctx, features, model, weights);
        }
        double[] x = new double[call.featurePositions().length];
        for (int i = 0; i < x.length; i++) {
            Object v = input.getField(call.featurePositions()[i]);
            if (v == null) {
                emit(input, null, DeadLetterReason.MISSING_FIELD);
                return;
            }
            x[i] = ((Number) v).doubleValue();
        }
        State before = call.state().read(state);
        KeyedModel.Outcome outcome = keyedModel.step(before, x);
        if (outcome instanceof KeyedModel.Refused refused) {
            emit(input, null, refused.reason());
            return;
        }
        KeyedModel.Accepted accepted = (KeyedModel.Accepted) outcome;
        call.state().write(state, before, accepted.next());
        emit(input, accepted.output(), null);
    }

    /** At the first row of this instance: the same resolution as at planning, and the model. */
    private void resolveOnce(Context ctx, ColumnList features, String model, String weights) {
        TableSemantics input = ctx.tableSemanticsFor(INPUT);
        call = ModelCall.resolve(input.dataType(), input.partitionByColumns(), features.getNames(), model, weights);
        keyedModel = KeyedModel.build(call.factory());
    }

    private void emit(Row input, double[] y, DeadLetterReason problem) {
        int[] pass = call.passThroughPositions();
        int width = call.standardize() ? call.featurePositions().length : 1;
        Row out = new Row(pass.length + width + 1);
        int c = 0;
        for (int p : pass) {
            out.setField(c++, input.getField(p));
        }
        if (call.standardize()) {
            for (int i = 0; i < call.featurePositions().length; i++) {
                out.setField(c++, y == null ? null : y[i]);
            }
        } else {
            Double[] boxed = null;
            if (y != null) {
                boxed = new Double[y.length];
                for (int i = 0; i < y.length; i++) {
                    boxed[i] = y[i];
                }
            }
            out.setField(c++, boxed);
        }
        out.setField(c, problem == null ? "ok" : problem.name());
        collect(out);
    }
}

package org.flinox.sql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.RowType;
import org.flinox.job.spec.SpecModelFactory;
import org.flinox.spec.BuiltInTypes;
import org.flinox.spec.ModelSpecException;

/**
 * One call of {@link ModelFunction}, resolved from its literal arguments and the input table's
 * row type: which columns are features, which pass through, the model (built by the job's own
 * {@link SpecModelFactory}, so the SQL function and the job run the same modules), and the
 * output and state types derived from them.
 *
 * <p>Resolved twice: by the planner, where a mistake becomes a {@link ValidationException} with
 * the job's message, and once per parallel instance at the first row, from the same arguments. The
 * spec's module types are looked up each time through the thread's context class loader, the
 * session's (with the jars of {@code ADD JAR}) when planning and the job's user-code class
 * loader on a TaskManager, so a user's own types resolve in both places.
 *
 * @param features the {@code features} columns, in their order
 * @param featurePositions the positions of the {@code features} columns, in their order
 * @param passThroughPositions every other column that is not a partition key, in table order
 * @param standardize whether the root module is {@code standardize} (output {@code <feature>_z})
 */
record ModelCall(
        List<String> features,
        int[] featurePositions,
        int[] passThroughPositions,
        DataType outputType,
        StateRowType state,
        SpecModelFactory factory,
        boolean standardize) {

    static final String STATUS_COLUMN = "status";
    static final String OUTPUT_COLUMN = "output";
    static final String Z_SUFFIX = "_z";

    /**
     * @param input the input table's row type
     * @param partitionBy the positions of its {@code PARTITION BY} columns
     * @param features the columns of the {@code DESCRIPTOR}
     * @param model a spec as JSON text (starts with <code>{</code>), or the path of a spec file
     * @param weights the path of an {@code .npz} file, or null
     * @throws ValidationException naming what to fix
     */
    static ModelCall resolve(DataType input, int[] partitionBy, List<String> features, String model, String weights) {
        RowType row = (RowType) input.getLogicalType();
        List<String> columns = row.getFieldNames();
        List<DataType> columnTypes = input.getChildren();
        if (features.isEmpty()) {
            throw new ValidationException("features: DESCRIPTOR() names no column; name the numeric input columns,"
                    + " e.g. DESCRIPTOR(temperature, humidity)");
        }
        int[] featurePositions = new int[features.size()];
        for (int i = 0; i < features.size(); i++) {
            String name = features.get(i);
            int at = columns.indexOf(name);
            if (at < 0) {
                throw new ValidationException("features: field '" + name + "' is not a column of the input table ("
                        + String.join(",", columns) + ")");
            }
            if (features.subList(0, i).contains(name)) {
                throw new ValidationException("features: field '" + name + "' is given twice");
            }
            if (!columnTypes.get(at).getLogicalType().is(LogicalTypeFamily.NUMERIC)) {
                throw new ValidationException("features: field '" + name + "' is not a number: it is "
                        + columnTypes.get(at) + "; cast it to DOUBLE in a view, or leave it out of features");
            }
            if (Arrays.stream(partitionBy).anyMatch(p -> p == at)) {
                throw new ValidationException("features: field '" + name + "' is the PARTITION BY key;"
                        + " the key cannot be a feature");
            }
            featurePositions[i] = at;
        }

        SpecModelFactory factory = factory(model, features.size(), weights);
        boolean standardize = factory.spec().module() instanceof BuiltInTypes.Standardize;

        List<Integer> passThrough = new ArrayList<>();
        List<DataTypes.Field> out = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            int col = c;
            if (Arrays.stream(partitionBy).noneMatch(p -> p == col)) {
                passThrough.add(c);
                out.add(DataTypes.FIELD(columns.get(c), columnTypes.get(c)));
            }
        }
        List<String> outputNames = new ArrayList<>();
        if (standardize) {
            for (String f : features) {
                outputNames.add(f + Z_SUFFIX);
                out.add(DataTypes.FIELD(f + Z_SUFFIX, DataTypes.DOUBLE()));
            }
        } else {
            outputNames.add(OUTPUT_COLUMN);
            out.add(DataTypes.FIELD(OUTPUT_COLUMN, DataTypes.ARRAY(DataTypes.DOUBLE().notNull())));
        }
        outputNames.add(STATUS_COLUMN);
        out.add(DataTypes.FIELD(STATUS_COLUMN, DataTypes.STRING().notNull()));
        for (String name : outputNames) {
            if (columns.contains(name)) {
                throw new ValidationException("the input table has a column '" + name + "', which is also an output"
                        + " column of the model; rename it in a view (SELECT ... AS ...)");
            }
        }

        StateRowType state = StateRowType.of(factory.createExported().state());
        return new ModelCall(List.copyOf(features), featurePositions,
                passThrough.stream().mapToInt(Integer::intValue).toArray(),
                DataTypes.ROW(out).notNull(), state, factory, standardize);
    }

    /** The job's model factory for the {@code model} and {@code weights} arguments. */
    private static SpecModelFactory factory(String model, int features, String weights) {
        if (model == null || model.isBlank()) {
            throw new ValidationException("model: give a model spec as JSON text ('{\"name\": ..., \"module\": {...}}')"
                    + " or the path of a spec file");
        }
        boolean inline = model.strip().startsWith("{");
        String where = inline ? "model" : model;
        String json;
        if (inline) {
            json = model;
        } else {
            try {
                json = Files.readString(Path.of(model));
            } catch (IOException e) {
                throw new ValidationException("model: cannot read model spec " + model + ": " + e, e);
            }
        }
        byte[] npz = null;
        if (weights != null) {
            try {
                npz = Files.readAllBytes(Path.of(weights));
            } catch (IOException e) {
                throw new ValidationException("weights: cannot read weights " + weights + ": " + e, e);
            }
        }
        try {
            return new SpecModelFactory(json, features, npz);
        } catch (ModelSpecException e) {
            throw new ValidationException(e.in(where).getMessage()); // the message is the whole story
        } catch (UncheckedIOException | IllegalArgumentException e) {
            throw new ValidationException((weights != null ? "weights " + weights + ": " : "model: ")
                    + e.getMessage(), e);
        }
    }
}

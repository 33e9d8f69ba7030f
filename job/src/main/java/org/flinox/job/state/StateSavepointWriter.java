package org.flinox.job.state;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.StateBootstrapTransformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.flinox.job.input.HiddenFiles;
import org.flinox.job.spec.SpecModelFactory;
import org.flinox.nn.Module;
import org.flinox.nn.State;
import org.flinox.nn.StateExport;
import org.flinox.nn.StateInvariants;
import org.flinox.nn.StateKey;
import org.flinox.nn.Tensor;
import org.flinox.operators.OperatorIds;
import org.flinox.operators.StateRow;

/**
 * Writes a savepoint of the model operator's keyed state from state rows in JSON lines (the
 * shape {@code inspect} prints and {@code --final-state} writes), for {@code bootstrap}. Every
 * row is checked against the model before the savepoint job runs. ({@code --final-savepoint}
 * is a savepoint of the job itself, source and sinks included: {@code FinalSavepoint}.)
 */
public final class StateSavepointWriter {

    private StateSavepointWriter() {}

    /** What a state file holds. */
    record Summary(int rows, int keys) {}

    /** Validates {@code stateFile} against the model, then writes the savepoint {@code outputDir}. */
    public static Summary write(SpecModelFactory factory, String stateFile, String outputDir, int maxParallelism,
            String backend) throws Exception {
        StateExport.Exported<Module> exported = factory.createExported();
        State initial = exported.state();
        org.apache.flink.core.fs.Path input = new org.apache.flink.core.fs.Path(StateCommands.uri(stateFile));
        Summary summary = validate(stateFile, readLines(input), initial, exported.module());
        org.apache.flink.core.fs.Path out = new org.apache.flink.core.fs.Path(StateCommands.uri(outputDir));
        FileSystem fs = out.getFileSystem();
        if (fs.exists(out) && (!fs.getFileStatus(out).isDir() || fs.listStatus(out).length > 0)) {
            throw new IllegalArgumentException("--output " + outputDir + " already exists and is not an empty directory");
        }

        StreamExecutionEnvironment env = StateCommands.writerEnvironment(backend);
        // the file's lines as strings, keyed by the row's key: no Tensor crosses the network
        DataStream<Tuple2<String, String>> rows = env
                .fromSource(FileSource.forRecordStreamFormat(new TextLineInputFormat(), input).build(),
                        WatermarkStrategy.noWatermarks(), "state rows").setParallelism(1)
                .filter(line -> !line.isBlank()).setParallelism(1)
                .map(line -> Tuple2.of(StateRowJson.read(line).key(), line))
                .returns(Types.TUPLE(Types.STRING, Types.STRING)).setParallelism(1);
        if (rows.getType() instanceof GenericTypeInfo<?>) {
            throw new IllegalStateException("the bootstrap stream's type " + rows.getType() + " would go through Kryo");
        }
        StateBootstrapTransformation<Tuple2<String, String>> model = OperatorTransformation.bootstrapWith(rows)
                .keyBy(row -> row.f0, Types.STRING)
                .transform(new StateRowWriter(factory));
        SavepointWriter.newSavepoint(env, StateBackendOption.backend(backend), maxParallelism)
                .withOperator(OperatorIdentifier.forUid(OperatorIds.model(factory.name())), model)
                .write(out.toString());
        env.execute("flinox bootstrap " + factory.name());
        return summary;
    }

    /**
     * Checks every row against the model's initial state: a parseable row, a known stateKey,
     * the entry's shape and dtype, finite values, the invariants its module declares
     * ({@link StateInvariants}: a count is a whole number {@code >= 0}, {@code m2 >= 0}), a
     * non-empty key, no (key, stateKey) given twice. Errors name the file, the line, the key
     * and the stateKey.
     *
     * @param file the file's name, for messages
     * @param lines its lines; blank lines are skipped but counted
     * @param tree the model's stateless tree, whose modules know their entries' invariants
     */
    static Summary validate(String file, List<String> lines, State initial, Object tree) {
        Map<String, Tensor> layout = new LinkedHashMap<>();
        for (int i = 0; i < initial.size(); i++) {
            layout.put(initial.keyAt(i).name(), initial.valueAt(i));
        }
        Map<List<String>, Integer> seen = new HashMap<>();
        Set<String> keys = new HashSet<>();
        int rows = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String where = file + ":" + (i + 1) + ": ";
            StateRow row;
            try {
                row = StateRowJson.read(line);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage(), e);
            }
            String entry = "key " + row.key() + ", stateKey " + row.stateKey();
            if (row.key().isEmpty()) {
                throw new IllegalArgumentException(where + "the key is empty; a stream key is never empty");
            }
            Tensor expected = layout.get(row.stateKey());
            if (expected == null) {
                throw new IllegalArgumentException(where + entry + ": unknown stateKey; the model's state keys are "
                        + layout.keySet());
            }
            Tensor value = row.value();
            if (!value.sameLayout(expected)) {
                throw new IllegalArgumentException(where + entry + ": expected " + expected.layout() + ", got "
                        + value.layout());
            }
            for (int j = 0; j < value.size(); j++) {
                if (!Double.isFinite(value.get(j))) {
                    throw new IllegalArgumentException(where + entry + ": value " + j + " is not finite: "
                            + Arrays.toString(value.toArray()));
                }
            }
            String broken = StateInvariants.check(tree, new StateKey(row.stateKey()), value);
            if (broken != null) {
                throw new IllegalArgumentException(where + entry + ": " + broken);
            }
            Integer earlier = seen.putIfAbsent(List.of(row.key(), row.stateKey()), i + 1);
            if (earlier != null) {
                throw new IllegalArgumentException(where + entry + ": already given on line " + earlier);
            }
            keys.add(row.key());
            rows++;
        }
        return new Summary(rows, keys.size());
    }

    /** The lines of a file, or of the visible files of a directory (a job's --final-state). */
    private static List<String> readLines(org.apache.flink.core.fs.Path path) {
        try {
            FileSystem fs = path.getFileSystem();
            List<org.apache.flink.core.fs.Path> files = new java.util.ArrayList<>();
            if (fs.getFileStatus(path).isDir()) {
                for (var status : fs.listStatus(path)) {
                    String name = status.getPath().getName();
                    if (!status.isDir() && !HiddenFiles.isHidden(name)) {
                        files.add(status.getPath());
                    }
                }
                files.sort(java.util.Comparator.comparing(org.apache.flink.core.fs.Path::getName));
            } else {
                files.add(path);
            }
            List<String> lines = new java.util.ArrayList<>();
            for (var file : files) {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
                    r.lines().forEach(lines::add);
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --state " + path + ": " + e.getMessage(), e);
        }
    }
}

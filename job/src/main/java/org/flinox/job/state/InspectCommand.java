package org.flinox.job.state;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.flinox.job.spec.ModelOptions;
import org.flinox.job.spec.SpecModelFactory;
import org.flinox.nn.State;
import org.flinox.operators.OperatorIds;
import org.flinox.operators.StateLayoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code inspect}: the per-key state of the model operator in a savepoint or retained
 * checkpoint, as JSON lines ({@link StateRowJson}) sorted by key and state key. A key's state
 * holds every entry of the model, so each is printed; one the key's records never changed
 * holds its initial value (which {@code describe} shows).
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print per-key state from a savepoint or retained checkpoint as JSON lines "
                + "{\"key\", \"stateKey\", \"shape\", \"dtype\", \"values\"}, sorted by key and stateKey. "
                + "Every entry of every key that has state is printed; an entry a key never changed holds its "
                + "initial value.")
public final class InspectCommand implements Callable<Integer> {

    @Option(names = "--from", paramLabel = "PATH", required = true,
            description = "A savepoint directory, or a retained checkpoint's chk-N directory.")
    String from;

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--key", paramLabel = "K", description = "Print only this stream key's state.")
    String key;

    @Mixin
    StateBackendOption stateBackend = new StateBackendOption();

    @Option(names = "--output", paramLabel = "FILE", description = "Write the lines here; default: standard output.")
    Path output;

    @Override
    public Integer call() throws Exception {
        SpecModelFactory factory = modelOptions.factory();
        List<String> lines = read(factory, from, key, stateBackend.name());
        if (key != null && lines.isEmpty()) {
            System.err.println("flinox-job: key '" + key + "' has no state in " + from);
            return 1;
        }
        if (output == null) {
            PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
            lines.forEach(out::println);
            out.flush();
        } else {
            Files.write(output, lines, StandardCharsets.UTF_8);
        }
        return 0;
    }

    /**
     * The stored state rows of the model's operator in the savepoint or checkpoint at
     * {@code path}, as JSON lines sorted by (key, stateKey).
     *
     * @param onlyKey one stream key, or null for all
     */
    public static List<String> read(SpecModelFactory factory, String path, String onlyKey, String backend) throws Exception {
        StreamExecutionEnvironment env = StateCommands.readerEnvironment(backend);
        String uid = OperatorIds.model(factory.name());
        SavepointReader savepoint = SavepointReader.read(env, StateCommands.uri(path), StateBackendOption.backend(backend));
        DataStream<Tuple3<String, String, String>> rows;
        try {
            rows = savepoint.readKeyedState(OperatorIdentifier.forUid(uid), new StateRowReader(factory, onlyKey),
                    Types.STRING, Types.TUPLE(Types.STRING, Types.STRING, Types.STRING));
        } catch (IOException e) {
            throw new IllegalArgumentException(path + " has no state of operator " + uid + " (model '"
                    + factory.name() + "'): is --model the spec the job ran with? (" + e.getMessage() + ")", e);
        }
        List<Tuple3<String, String, String>> all = new ArrayList<>();
        try (CloseableIterator<Tuple3<String, String, String>> it =
                rows.filter(StateRowReader::isRow).executeAndCollect("flinox inspect " + factory.name())) {
            it.forEachRemaining(all::add);
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof StateLayoutException layout) {
                    throw new IllegalArgumentException(path + " holds state of another layout than this model's: "
                            + String.join("; ", layout.changes()) + ". Give the --model, --features and --weights "
                            + "the job ran with", e);
                }
            }
            throw e;
        }
        all.sort(Comparator.<Tuple3<String, String, String>, String>comparing(t -> t.f0).thenComparing(t -> t.f1));
        return all.stream().map(t -> t.f2).toList();
    }
}

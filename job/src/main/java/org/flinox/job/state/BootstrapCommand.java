package org.flinox.job.state;

import java.util.concurrent.Callable;
import org.flinox.job.spec.ModelOptions;
import org.flinox.job.spec.SpecModelFactory;
import org.flinox.operators.OperatorIds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bootstrap}: a savepoint holding per-key state given as JSON lines (the shape
 * {@code inspect} prints), so a job started from it with {@code --restore} begins warm.
 * Every row is checked against the model's state before anything runs; keys absent from
 * the file, and entries a key does not list, start from the model's initial value. The
 * writing is {@link StateSavepointWriter}'s.
 */
@Command(name = "bootstrap", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write a savepoint from per-key state in JSON lines (the shape inspect prints), "
                + "for a job to start from with --restore.")
public final class BootstrapCommand implements Callable<Integer> {

    @Option(names = "--state", paramLabel = "FILE.jsonl", required = true,
            description = "One state row per line: {\"key\", \"stateKey\", \"shape\", \"dtype\", \"values\"}.")
    String state;

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--output", paramLabel = "SAVEPOINT_DIR", required = true,
            description = "The savepoint directory to write; must not exist or be empty.")
    String output;

    @Option(names = "--max-parallelism", paramLabel = "N", defaultValue = "128",
            description = "Key groups; must equal the job's --max-parallelism (default: ${DEFAULT-VALUE}).")
    int maxParallelism;

    @Mixin
    StateBackendOption stateBackend = new StateBackendOption();

    @Override
    public Integer call() throws Exception {
        SpecModelFactory factory = modelOptions.factory();
        StateSavepointWriter.Summary summary = StateSavepointWriter.write(factory, state, output, maxParallelism,
                stateBackend.name());
        System.out.println("wrote " + summary.rows() + " state rows of " + summary.keys() + " keys for operator "
                + OperatorIds.model(factory.name()) + " to " + output);
        return 0;
    }
}

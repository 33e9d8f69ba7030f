package org.flinox.job;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;

/**
 * {@code flinox-job [run] [flags]}, {@code flinox-job describe [flags]}: the command line of
 * the job jar, the same under {@code java -jar} and {@code flink run}.
 */
@Command(name = "flinox-job", mixinStandardHelpOptions = true, version = "flinox 0.1.0",
        subcommands = {FlinoxCli.Run.class, DescribeCommand.class, InspectCommand.class, BootstrapCommand.class},
        description = "Stateful neural-network modules per stream key on Apache Flink.")
public final class FlinoxCli {
    private static final List<String> SUBCOMMANDS = List.of("run", "describe", "inspect", "bootstrap");

    public static void main(String[] args) {
        int code = execute(args);
        if (code != 0) {
            System.exit(code); // only on failure: under `flink run` the client JVM is Flink's
        }
    }

    /** Runs the command line and returns its exit code; {@code run} is the default subcommand. */
    public static int execute(String... args) {
        String[] withSubcommand = args.length > 0 && SUBCOMMANDS.contains(args[0]) ? args : prepend("run", args);
        CommandLine cli = new CommandLine(new FlinoxCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("flinox-job: " + rootMessage(e));
            if (Boolean.getBoolean("flinox.stacktrace")) {
                e.printStackTrace(err);
            }
            return 1;
        });
        return cli.execute(withSubcommand);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof java.lang.reflect.InvocationTargetException)) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /** The default subcommand: run the job (a demo without {@code --input}). */
    @Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Run the job: embedded local Flink under `java -jar`, the cluster under `flink run`.",
            footer = {"", "Other subcommands: describe (the module tree, parameters and state keys as JSON), inspect (per-key state"
                + "of a savepoint or checkpoint), bootstrap (a savepoint from per-key state); each has --help.",
                "Without --input, a demo runs over a generated multi-key sample."})
    static final class Run implements Callable<Integer> {
        @Mixin
        RunOptions options = new RunOptions();

        @Override
        public Integer call() throws Exception {
            if (options.input == null) {
                return Demo.run(options);
            }
            JobRunner.run(JobRunner.resolve(options));
            return 0;
        }
    }
}

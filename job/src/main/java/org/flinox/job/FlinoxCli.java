package org.flinox.job;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.flinox.job.kafka.KafkaProbe;
import org.flinox.job.report.ReportCommand;
import org.flinox.job.spec.DescribeCommand;
import org.flinox.job.spec.ModuleJars;
import org.flinox.job.state.BootstrapCommand;
import org.flinox.job.state.InspectCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;

/**
 * {@code flinox-job [run] [flags]}, {@code flinox-job describe [flags]}: the command line of
 * the job jar, the same under {@code java -jar} and {@code flink run}.
 */
@Command(name = "flinox-job", mixinStandardHelpOptions = true, version = FlinoxCli.VERSION,
        subcommands = {FlinoxCli.Run.class, DescribeCommand.class, InspectCommand.class, BootstrapCommand.class,
                ReportCommand.class},
        description = "Stateful neural-network modules per stream key on Apache Flink.")
public final class FlinoxCli {
    /** What {@code --version} prints. */
    static final String VERSION = "flinox 0.1.0 (Apache Flink 2.3.0)";
    private static final List<String> SUBCOMMANDS = List.of("run", "describe", "inspect", "bootstrap", "report");

    /** Set by {@link Launcher} for the JVM of a stand-alone run, the only one this may exit. */
    static final String STANDALONE = "flinox.standalone";

    public static void main(String[] args) {
        if (Boolean.getBoolean(STANDALONE)) {
            Launcher.endWithParent();
        }
        int code = execute(args);
        if (code == 0) {
            return;
        }
        if (Boolean.getBoolean(STANDALONE)) {
            // The command is over and has said why. Halt rather than exit: the embedded cluster
            // Flink closes asynchronously after a failed job, and its RPC system's JVM shutdown
            // hook would then run with its class loader closed and print a NoClassDefFoundError
            // trace under the one line. Nothing of the run needs a shutdown hook at this point.
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(code);
        }
        // Under `flink run` or a REST /jars/run the JVM is Flink's (a JobManager's, for REST):
        // fail the program instead; the reason is already printed.
        throw new IllegalStateException("flinox-job failed (exit status " + code + "): see the line above");
    }

    /** Runs the command line and returns its exit code; {@code run} is the default subcommand. */
    public static int execute(String... args) {
        String[] withSubcommand = args.length > 0 && SUBCOMMANDS.contains(args[0]) ? args : prepend("run", args);
        CommandLine cli = new CommandLine(new FlinoxCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("flinox-job: " + message(e));
            if (Boolean.getBoolean("flinox.stacktrace")) {
                e.printStackTrace(err);
            }
            return 1;
        });
        // a flag picocli cannot take (an unknown one, a bad value): one line and the way to help
        cli.setParameterExceptionHandler((e, args2) -> {
            e.getCommandLine().getErr().println("flinox-job: " + e.getMessage() + " (see --help)");
            return 2;
        });
        return cli.execute(withSubcommand);
    }

    /**
     * One line for a failure: a mistake caught at start is its own message; a failure from deep
     * inside Flink ends with its root cause (the outer messages, "Job execution failed.", say
     * only that something did).
     */
    static String message(Throwable e) {
        List<Throwable> chain = new java.util.ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        Throwable first = chain.stream().filter(t -> !isWrapper(t)).findFirst().orElse(e);
        Throwable root = chain.get(chain.size() - 1);
        if (first instanceof IllegalArgumentException || first instanceof java.io.UncheckedIOException || root == first) {
            return describe(first);
        }
        return describe(first) + " Cause: " + describe(root);
    }

    /** Exceptions that only carry another. */
    private static boolean isWrapper(Throwable t) {
        return t instanceof java.lang.reflect.InvocationTargetException
                || t instanceof java.util.concurrent.ExecutionException
                || t instanceof java.util.concurrent.CompletionException
                || t.getMessage() == null;
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        boolean ours = t instanceof IllegalArgumentException || t instanceof IllegalStateException
                || t instanceof java.io.UncheckedIOException || t.getClass().getName().startsWith("org.flinox");
        String text = (m == null || m.isBlank() ? t.getClass().getSimpleName()
                : ours ? m : t.getClass().getSimpleName() + ": " + m).strip();
        int newline = text.indexOf('\n');
        // a list in one of our messages (every bad array of a weights file) is what to fix: keep it;
        // a foreign message's further lines are usually a trace
        return newline < 0 || ours ? text : text.substring(0, newline).strip() + " ...";
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /** The report of a run that ended ({@code --report}, and the demo's). */
    static void writeReport(JobSettings settings, java.nio.file.Path page) {
        java.nio.file.Path output = OutputLocations.localPath(settings.output());
        var written = ReportCommand.write(output, page, null, ReportCommand.DEFAULT_MAX_POINTS);
        System.err.println(ReportCommand.line(written, page));
    }

    /** The output directories one live run holds, by flag. */
    private static java.util.Map<String, String> outputs(String output, String deadLetters) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("--output", output);
        m.put("--dead-letter", deadLetters);
        return m;
    }

    /** The default subcommand: run the job (a demo without {@code --input}). */
    @Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false, version = FlinoxCli.VERSION,
            description = "Run the job: embedded local Flink under `java -jar`, the cluster under `flink run`.",
            footer = {"", "Other subcommands: describe (the module tree, parameters and state keys as JSON), inspect (per-key state "
                + "of a savepoint or checkpoint), bootstrap (a savepoint from per-key state), report (a run's plots as "
                + "HTML); each has --help.",
                "Without --input, a demo runs over a generated multi-key sample.",
                "Exit status: 0 when the run did what it was asked (a bounded run that ended, a --watch run stopped "
                + "cleanly by Ctrl-C or SIGTERM); 1 for a mistake refused at start, a failed job, or a run whose every "
                + "record was dead-lettered; 2 for a flag that does not parse; 128+N when signal N ended it before "
                + "it could stop cleanly (143: SIGTERM to a bounded run)."})
    static final class Run implements Callable<Integer> {
        @Mixin
        RunOptions options = new RunOptions();

        @Override
        public Integer call() throws Exception {
            ModuleJars.check(options.moduleJars);
            if (options.input == null) {
                return Demo.run(options);
            }
            KafkaProbe.requireReachable(options.input, options.output, options.deadLetter, options.kafkaProperties);
            OutputLocks.refuseLive(outputs(options.output, options.deadLetter != null ? options.deadLetter
                    : options.output != null ? JobSettings.deadLettersBeside(options.output) : null));
            JobSettings settings = JobRunner.resolve(options);
            RunSummary summary;
            try (OutputLocks locks = OutputLocks.acquire(outputs(settings.output(), settings.deadLetters()))) {
                summary = JobRunner.run(settings, options.progressInterval);
            }
            if (summary != null && options.report != null) {
                writeReport(settings, options.report);
            }
            if (summary != null && summary.everythingRejected()) {
                System.err.println("flinox-job: every record (" + summary.deadLetterCount() + ") went to the dead "
                        + "letters, none to the outputs: see the reasons above");
                return 1;
            }
            return 0;
        }
    }
}

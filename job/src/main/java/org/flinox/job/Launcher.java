package org.flinox.job;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The jar's entry point. Under {@code flink run} Flink is on the class path and the CLI
 * runs directly. Under {@code java -jar} it is not (the jar keeps Flink {@code provided},
 * as a cluster requires), so this starts the CLI in a child JVM whose class path is the jar
 * plus the Flink jars that the build copied to {@code flink-lib/} beside it, with the Java
 * 17 module openings Flink's own scripts pass, and waits for it. A class loader inside this
 * JVM would not do: Flink's local executor loads user classes through the system class
 * loader, which sees this jar but not Flink. For the same reason the jars of
 * {@code --module-jar} (the user's module types) go on that class path too.
 */
public final class Launcher {
    private static final String CLI = "org.flinox.job.FlinoxCli";
    private static final String FLINK_PROBE = "org.apache.flink.streaming.api.environment.StreamExecutionEnvironment";
    /** The Java 17 module openings' one copy, shared with the pom and deploy/java-opens.sh. */
    private static final String JAVA_OPENS = "/flinox/java-opens.properties";
    /** The launching JVM's pid, given to the child so it can end with it. */
    static final String PARENT_PID = "flinox.parent.pid";

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (flinkIsPresent()) {
            Class.forName(CLI).getMethod("main", String[].class).invoke(null, (Object) args);
            return;
        }
        System.exit(runWithEmbeddedFlink(args));
    }

    private static boolean flinkIsPresent() {
        try {
            Class.forName(FLINK_PROBE, false, Launcher.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The openings Flink's own scripts pass to every JVM (its {@code env.java.opts.all}). */
    static List<String> javaOpens() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Launcher.class.getResourceAsStream(JAVA_OPENS)) {
            if (in == null) {
                throw new IllegalStateException(JAVA_OPENS + " is missing from the jar; rebuild it with mvn package");
            }
            p.load(in);
        }
        return List.of(p.getProperty("flink.jvm.opens").trim().split("\\s+"));
    }

    /** The values of {@code --module-jar JAR} and {@code --module-jar=JAR}, in order. */
    static List<String> moduleJars(String[] args) {
        List<String> jars = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--module-jar") && i + 1 < args.length) {
                jars.add(args[++i]);
            } else if (args[i].startsWith("--module-jar=")) {
                jars.add(args[i].substring("--module-jar=".length()));
            }
        }
        return jars;
    }

    private static int runWithEmbeddedFlink(String[] args) throws Exception {
        Path jar = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path flinkLib = jar.resolveSibling("flink-lib");
        if (!Files.isDirectory(flinkLib)) {
            System.err.println("Flink is not on the class path, and " + flinkLib + " does not exist. Submit the jar "
                    + "with `flink run`, or build it with `mvn package`, which copies Flink's jars to "
                    + "job/target/flink-lib for stand-alone runs.");
            return 2;
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> moduleJars = moduleJars(args);
        command.addAll(classDataSharing(jar, moduleJars));
        List<String> given = ManagementFactory.getRuntimeMXBean().getInputArguments(); // -Xmx, -D... as given
        command.addAll(quickCompilation(args, given));
        command.addAll(given);
        command.addAll(javaOpens());
        command.add("-D" + FlinoxCli.STANDALONE + "=true");
        command.add("-D" + PARENT_PID + "=" + ProcessHandle.current().pid());
        command.add("-cp");
        List<String> classPath = new ArrayList<>(List.of(jar.toString()));
        moduleJars.forEach(j -> classPath.add(Path.of(j).toAbsolutePath().toString())); // checked by the CLI
        classPath.add(flinkLib.resolve("*").toString());
        command.add(String.join(File.pathSeparator, classPath));
        command.add(CLI);
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).inheritIO().start();
        // Ctrl-C or `kill PID` reaches this JVM: pass it on and wait, so this process ends only
        // once the job has stopped (a --watch run with --savepoint-dir takes its savepoint first)
        // ... and end with the child's status: 0 when it stopped cleanly, as the JVM's own 143 would not say
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            child.destroy();
            try {
                Runtime.getRuntime().halt(child.waitFor());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        return child.waitFor();
    }

    /**
     * The class-data-sharing archive the build made beside the jar ({@code mvn package}: the
     * classes a small run loads, already parsed and verified), for a child JVM with the class path
     * it was made with: the jar and {@code flink-lib/}, no module jars. It saves a third of a small
     * run's CPU time (BENCHMARKS.md, B7). A JVM that cannot use it (another JDK, a rebuilt jar)
     * loads the classes as usual; {@code -Xlog:cds*=off} keeps it from saying so on the console.
     */
    static List<String> classDataSharing(Path jar, List<String> moduleJars) {
        Path archive = jar.resolveSibling("flinox-job.jsa");
        if (!moduleJars.isEmpty() || !Files.isRegularFile(archive)) {
            return List.of();
        }
        return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds*=off");
    }

    /** What counts as a small input: some thousands of rows. */
    static final long SMALL_INPUT_BYTES = 1L << 20;

    /**
     * The JIT's quick tier only ({@code -XX:TieredStopAtLevel=1}) for a run that ends soon: the
     * demo, or {@code run} over a local input of at most {@link #SMALL_INPUT_BYTES} without
     * {@code --watch}. Such a run is over before the optimizing compiler's work pays back, and on
     * two cores that work competes with the job's: the quick tier alone saves a 2-row run ~40% of
     * its CPU time (BENCHMARKS.md, B7). Any other run, or one given its own JIT flags, keeps the
     * JVM's default.
     */
    static List<String> quickCompilation(String[] args, List<String> jvmFlags) {
        for (String flag : jvmFlags) {
            if (flag.contains("Tiered") || flag.equals("-Xint") || flag.equals("-Xcomp")) {
                return List.of();
            }
        }
        return endsSoon(args) ? List.of("-XX:TieredStopAtLevel=1") : List.of();
    }

    private static boolean endsSoon(String[] args) {
        if (args.length == 0) {
            return true; // the demo: a few thousand generated rows
        }
        boolean run = args[0].equals("run");
        if (!run && !args[0].startsWith("-")) {
            return false; // another subcommand (the CLI runs when the first word is an option)
        }
        String input = null;
        for (int i = run ? 1 : 0; i < args.length; i++) { // without a subcommand the CLI runs
            if (args[i].equals("--watch") || args[i].startsWith("--watch=")) {
                return false;
            } else if (args[i].equals("--input") && i + 1 < args.length) {
                input = args[++i];
            } else if (args[i].startsWith("--input=")) {
                input = args[i].substring("--input=".length());
            }
        }
        if (input == null || (input.contains("://") && !input.startsWith("file://"))) {
            return false;
        }
        try {
            Path path = input.startsWith("file://") ? Path.of(java.net.URI.create(input)) : Path.of(input);
            try (java.util.stream.Stream<Path> files = Files.walk(path)) {
                long bytes = 0;
                for (Path f : (Iterable<Path>) files::iterator) {
                    bytes += Files.isRegularFile(f) ? Files.size(f) : 0;
                    if (bytes > SMALL_INPUT_BYTES) {
                        return false;
                    }
                }
                return true;
            }
        } catch (IOException | RuntimeException e) {
            return false; // not readable here: the CLI says what is wrong with it
        }
    }

    /**
     * In the child: when the launching JVM ends, however it ended ({@code kill -9} passes nothing
     * on), exit as on SIGTERM, so the shutdown hooks stop the job as Ctrl-C would (a
     * {@code --watch} run with {@code --savepoint-dir} takes its savepoint) and no orphan keeps
     * writing into the outputs. The pid is the parent's as the launcher gave it: once the parent
     * is gone, {@code ProcessHandle.parent()} would name whoever adopted the child.
     */
    static void endWithParent() {
        String pid = System.getProperty(PARENT_PID);
        if (pid == null) {
            return;
        }
        java.util.Optional<ProcessHandle> parent = ProcessHandle.of(Long.parseLong(pid));
        if (parent.isEmpty()) {
            System.exit(143);
        }
        parent.get().onExit().thenRun(() -> {
            System.err.println("flinox: the launching process " + pid + " ended; stopping the job");
            System.exit(143);
        });
    }
}

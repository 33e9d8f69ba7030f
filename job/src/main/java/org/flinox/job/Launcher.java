package org.flinox.job;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The jar's entry point. Under {@code flink run} Flink is on the class path and the CLI
 * runs directly. Under {@code java -jar} it is not (the jar keeps Flink {@code provided},
 * as a cluster requires), so this puts the jar and the Flink jars that the build copied to
 * {@code flink-lib/} beside it on a class loader of their own and runs the CLI there, on an
 * embedded local Flink.
 */
public final class Launcher {
    private static final String CLI = "org.flinox.job.FlinoxCli";
    private static final String FLINK_PROBE = "org.apache.flink.streaming.api.environment.StreamExecutionEnvironment";

    private Launcher() {}

    public static void main(String[] args) throws Throwable {
        ClassLoader loader = flinkIsPresent() ? Launcher.class.getClassLoader() : embeddedFlinkLoader();
        Thread.currentThread().setContextClassLoader(loader); // ND4J finds its backend through it
        try {
            loader.loadClass(CLI).getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static boolean flinkIsPresent() {
        try {
            Class.forName(FLINK_PROBE, false, Launcher.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static ClassLoader embeddedFlinkLoader() throws IOException {
        Path jar;
        try {
            jar = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException("cannot tell where flinox-job.jar is", e);
        }
        Path flinkLib = jar.resolveSibling("flink-lib");
        if (!Files.isDirectory(flinkLib)) {
            throw new IllegalStateException("Flink is not on the class path, and " + flinkLib + " does not exist. "
                    + "Submit the jar with `flink run`, or build it with `mvn package`, which copies Flink's "
                    + "jars to job/target/flink-lib for stand-alone runs.");
        }
        List<URL> urls = new ArrayList<>();
        urls.add(jar.toUri().toURL());
        try (Stream<Path> jars = Files.list(flinkLib)) {
            for (Path p : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                urls.add(p.toUri().toURL());
            }
        }
        return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    }
}

package org.flinox.tests;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code python3} that imports numpy, for tests whose references are numpy. Debian's
 * {@code /usr/bin/python3} comes first (apt's {@code python3-numpy} installs for it; the
 * {@code python3} first on the PATH may be another one without numpy). None is a test
 * failure, never a skip: {@code .ci/run} installs {@code python3-numpy} where it is missing.
 */
final class Python {

    private static final List<String> CANDIDATES = List.of("/usr/bin/python3", "python3");

    private static String found;

    private Python() {}

    /** The interpreter, or a failed test saying how to get one. */
    static synchronized String withNumpy() {
        if (found == null) {
            List<String> tried = new ArrayList<>();
            for (String candidate : CANDIDATES) {
                Result r = run(candidate, "-c", "import numpy");
                if (r.code() == 0) {
                    found = candidate;
                    return found;
                }
                tried.add(candidate + " (" + r.out().strip().lines().reduce((a, b) -> b).orElse("exit " + r.code()) + ")");
            }
            fail("no python3 with numpy, which the numpy references need; tried " + tried
                    + ". Install it: apt-get install -y python3-numpy (.ci/run does)");
        }
        return found;
    }

    /** What a process printed (standard output and error together) and its exit code. */
    record Result(int code, String out) {}

    /** Runs a command, waiting up to two minutes. */
    static Result run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}

package org.flinox.job.input;

/**
 * The one rule for which files of a directory are not data: names starting with {@code .} or
 * {@code _}, as Flink's file source skips them (its {@code DefaultFileFilter}) and as its file
 * sink names files in progress. Reading inputs, counting their bytes, reading a
 * {@code --final-state} directory and the demo's output all follow it.
 */
public final class HiddenFiles {

    private HiddenFiles() {}

    public static boolean isHidden(String name) {
        return name.startsWith(".") || name.startsWith("_");
    }
}

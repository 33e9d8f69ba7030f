package org.flinox.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.flinox.job.kafka.KafkaAddress;

/**
 * The safety rules for where a run writes, checked before anything runs, so that an existing
 * output is never silently written again and an output never feeds the input:
 *
 * <ul>
 *   <li>an output location that exists must be a directory this process can write in;
 *   <li>a non-empty one is refused, except that {@code --restore} resumes {@code --output} and
 *       {@code --dead-letter} (the restored file sinks carry on the files they committed, and the
 *       restored source carries on reading where it stopped), and {@code --overwrite} empties it
 *       first; {@code --overwrite} deletes only what Flinox writes (part files, in-progress part
 *       files, savepoint files) and refuses a directory that holds anything else;
 *   <li>no two locations (inputs, outputs, checkpoints, savepoints) may be the same or one
 *       inside the other, after resolving {@code ..} and symbolic links;
 *   <li>a Kafka output must not be the input's topic.
 * </ul>
 *
 * Only local paths (plain or {@code file:}) are checked; other file systems are the cluster's.
 */
final class OutputLocations {

    /** What a run does with a location. */
    enum Use {
        /** reads its data there */
        INPUT,
        /** writes its data there: it must be empty, resumed or overwritten */
        OUTPUT,
        /** Flink keeps checkpoints or savepoints there, among earlier ones */
        KEEP
    }

    /**
     * One location a run reads or writes.
     *
     * @param flag the flag that named it, for messages
     * @param location the value as given, or null when not set
     * @param use what the run does there
     * @param resumable whether {@code --restore} resumes what it holds
     */
    record Location(String flag, String location, Use use, boolean resumable) {
        boolean output() {
            return use == Use.OUTPUT;
        }
    }

    private OutputLocations() {}

    /**
     * Checks every location, then (only when all pass) empties the non-empty outputs
     * {@code --overwrite} allows.
     *
     * @throws IllegalArgumentException naming the flag, the path and what to do
     */
    static void check(List<Location> locations, boolean restoring, boolean overwrite) {
        List<Path> toClear = new ArrayList<>();
        List<Location> local = new ArrayList<>();
        for (Location l : locations) {
            if (l.location() == null) {
                continue;
            }
            if (KafkaAddress.isKafka(l.location())) {
                continue;
            }
            Path path = localPath(l.location());
            if (path == null) {
                continue;
            }
            local.add(l);
            if (!l.output()) {
                continue;
            }
            if (Files.exists(path) && !Files.isDirectory(path)) {
                throw new IllegalArgumentException(l.flag() + " " + l.location() + " is a file, not a directory: "
                        + "give a directory (it is created when missing)");
            }
            if (isNonEmptyDirectory(path) && !(restoring && l.resumable())) {
                if (!overwrite) {
                    throw new IllegalArgumentException(l.flag() + " " + l.location() + " is not empty: a run never "
                            + "writes over an earlier one. Give a new directory, resume the run that wrote there with "
                            + "--restore, or pass --overwrite to delete what it holds first");
                }
                requireOnlyFlinoxFiles(l, path);
                toClear.add(path);
            }
        }
        requireNoOverlap(local);
        requireKafkaOutputsAreNotTheInput(locations);
        for (Location l : local) {
            if (l.output()) {
                requireWritable(l, localPath(l.location()));
            }
        }
        for (Path dir : toClear) {
            clear(dir);
        }
    }

    /** The local path of a location, or null for another file system. */
    static Path localPath(String location) {
        if (location.startsWith("file:")) {
            URI uri = URI.create(location);
            return uri.getPath() == null ? null : Path.of(uri.getPath()).toAbsolutePath().normalize();
        }
        if (location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            return null;
        }
        return Path.of(location).toAbsolutePath().normalize();
    }

    private static boolean isNonEmptyDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.anyMatch(p -> !p.getFileName().toString().equals(OutputLocks.FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** Part files (committed, or hidden and in progress), the run log, the run lock and savepoint files are Flinox's. */
    private static void requireOnlyFlinoxFiles(Location l, Path dir) {
        boolean savepoint = Files.isRegularFile(dir.resolve("_metadata"));
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                boolean part = Files.isRegularFile(p) && (name.startsWith("part-") || name.startsWith(".part-")
                        || name.equals(org.flinox.job.report.RunLog.FILE_NAME) || name.equals(OutputLocks.FILE));
                if (!part && !(savepoint && Files.isRegularFile(p))) {
                    throw new IllegalArgumentException(l.flag() + " " + l.location() + " holds " + name
                            + ", which Flinox did not write: --overwrite deletes only Flinox's own files; give "
                            + "another directory or empty it yourself");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static void requireNoOverlap(List<Location> local) {
        List<Path> real = local.stream().map(l -> realPath(localPath(l.location()))).toList();
        for (int i = 0; i < local.size(); i++) {
            for (int j = i + 1; j < local.size(); j++) {
                // name the one written first: "--output X is inside --input Y"
                boolean swap = !local.get(i).output() && local.get(j).output();
                Location a = local.get(swap ? j : i);
                Location b = local.get(swap ? i : j);
                if (a.use() == b.use() && a.use() != Use.OUTPUT) {
                    continue; // two inputs, or checkpoints beside savepoints: nothing mixes
                }
                Path pa = real.get(swap ? j : i);
                Path pb = real.get(swap ? i : j);
                if (pa.equals(pb) || pa.startsWith(pb) || pb.startsWith(pa)) {
                    String how = pa.equals(pb) ? "is the same directory as" : pa.startsWith(pb) ? "is inside" : "contains";
                    throw new IllegalArgumentException(a.flag() + " " + a.location() + " " + how + " " + b.flag() + " "
                            + b.location() + ": " + (isInput(a) || isInput(b)
                                    ? "the run would read what it writes. " : "two kinds of rows would mix. ")
                            + "Give them separate directories");
                }
            }
        }
    }

    private static boolean isInput(Location l) {
        return l.use() == Use.INPUT;
    }

    private static void requireKafkaOutputsAreNotTheInput(List<Location> locations) {
        KafkaAddress input = null;
        for (Location l : locations) {
            if (isInput(l) && KafkaAddress.isKafka(l.location())) {
                input = KafkaAddress.parse(l.location());
            }
        }
        if (input == null) {
            return;
        }
        for (Location l : locations) {
            if (l.output() && KafkaAddress.isKafka(l.location())
                    && KafkaAddress.parse(l.location()).topic().equals(input.topic())) {
                throw new IllegalArgumentException(l.flag() + " " + l.location() + " is the input's topic: the run "
                        + "would read what it writes. Give another topic");
            }
        }
    }

    /** Creates the directory when missing and writes (then deletes) a probe file: the only sure test. */
    private static void requireWritable(Location l, Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".flinox-probe", "");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException(l.flag() + " " + l.location() + " is not a directory this run can write "
                    + "in (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }

    /** The path with symbolic links resolved as far as it exists. */
    private static Path realPath(Path path) {
        Path existing = path;
        Path rest = Path.of("");
        while (existing != null && !Files.exists(existing)) {
            rest = existing.getFileName().resolve(rest);
            existing = existing.getParent();
        }
        if (existing == null) {
            return path;
        }
        try {
            return existing.toRealPath().resolve(rest).normalize();
        } catch (IOException e) {
            return path;
        }
    }

    private static void clear(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("--overwrite: cannot empty " + dir, e);
        }
    }
}

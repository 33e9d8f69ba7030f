package org.flinox.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reading what a job committed: the JSON lines of a FileSink directory. */
final class JobFiles {
    static final ObjectMapper JSON = new ObjectMapper();

    private JobFiles() {}

    /**
     * Every committed line (in-progress files are hidden and skipped) of a directory a job has
     * written: a missing directory is a failure, so "no dead letters" cannot pass when the
     * job wrote them somewhere else or nowhere.
     */
    static List<JsonNode> jsonLines(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new AssertionError("the job wrote no directory " + dir);
        }
        return committedSoFar(dir);
    }

    /** The lines committed so far, for polling a running job: none while the directory does not exist yet. */
    static List<JsonNode> committedSoFar(Path dir) {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) {
                        out.add(JSON.readTree(line));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static double[] doubles(JsonNode array) {
        double[] d = new double[array.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = array.get(i).asDouble();
        }
        return d;
    }
}

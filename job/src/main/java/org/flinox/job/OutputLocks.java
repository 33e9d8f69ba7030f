package org.flinox.job;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One live run per output directory: a run holds an OS lock on {@code .flinox-lock} in its
 * local {@code --output} and dead-letter directories while it runs, and a second run into one
 * of them is refused at start, naming it. The OS releases the lock when the process ends, however
 * it ends ({@code kill -9} included), so a dead run never blocks the next one. The file itself
 * stays (deleting a lock file is what lets two runs both believe they hold it); it counts as
 * Flinox's own file for the emptiness and {@code --overwrite} rules ({@link OutputLocations}).
 */
final class OutputLocks implements AutoCloseable {
    static final String FILE = ".flinox-lock";

    private final List<FileChannel> held = new ArrayList<>();

    private OutputLocks() {}

    /**
     * Refuses, before any check touches them, directories a live run holds (nothing is created).
     *
     * @param outputs each output location (null: none) by the flag that names it
     */
    static void refuseLive(Map<String, String> outputs) {
        outputs.forEach((flag, output) -> {
            Path dir = local(output);
            if (dir != null && Files.isRegularFile(dir.resolve(FILE))) {
                try (OutputLocks probe = new OutputLocks()) {
                    probe.lock(flag + " " + output, dir);
                }
            }
        });
    }

    /** Locks every local output directory (they exist once the start checks passed), or refuses. */
    static OutputLocks acquire(Map<String, String> outputs) {
        OutputLocks locks = new OutputLocks();
        try {
            for (Map.Entry<String, String> o : outputs.entrySet()) {
                Path dir = local(o.getValue());
                if (dir != null && Files.isDirectory(dir)) {
                    locks.lock(o.getKey() + " " + o.getValue(), dir);
                }
            }
            return locks;
        } catch (RuntimeException e) {
            locks.close();
            throw e;
        }
    }

    private static Path local(String output) {
        return output == null || org.flinox.job.kafka.KafkaAddress.isKafka(output) ? null
                : OutputLocations.localPath(output);
    }

    private void lock(String output, Path dir) {
        Path file = dir.resolve(FILE);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException thisProcess) {
                lock = null;
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                throw new IllegalArgumentException(output + " is being written by a live run"
                        + (holder.isEmpty() ? "" : " (" + holder + ")") + ": two runs must not write one directory; "
                        + "stop that run first, or give another directory");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
            held.add(channel);
            channel = null;
        } catch (IOException e) {
            throw new IllegalArgumentException(output + ": cannot lock " + file + " (" + e.getMessage() + ")", e);
        } finally {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // it was not locked
                }
            }
        }
    }

    /** Releases the locks (closing a channel releases its lock). */
    @Override
    public void close() {
        for (FileChannel c : held) {
            try {
                c.close();
            } catch (IOException ignored) {
                // released with the process at the latest
            }
        }
        held.clear();
    }
}

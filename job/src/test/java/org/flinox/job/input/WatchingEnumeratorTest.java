package org.flinox.job.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.FileSourceSplitSerializer;
import org.apache.flink.connector.file.src.PendingSplitsCheckpoint;
import org.apache.flink.connector.file.src.PendingSplitsCheckpointSerializer;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watched input's enumerator, driven listing by listing (no timers, no cluster). */
class WatchingEnumeratorTest {

    @TempDir java.nio.file.Path dir;

    private void write(String name, String content, long modifiedMillis) throws Exception {
        java.nio.file.Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.fromMillis(modifiedMillis));
    }

    /** A context that runs the periodic listing when told to, with one reader (subtask 0). */
    private static final class Context implements SplitEnumeratorContext<FileSourceSplit> {
        final List<FileSourceSplit> assigned = new ArrayList<>();
        private Callable<?> listing;
        private BiConsumer<Object, Throwable> handler;

        @SuppressWarnings("unchecked")
        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler, long initialDelay, long period) {
            this.listing = callable;
            this.handler = (BiConsumer<Object, Throwable>) handler;
        }

        /** One listing of the input, as the timer would run it. */
        void list() throws Exception {
            handler.accept(listing.call(), null);
        }

        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void assignSplits(SplitsAssignment<FileSourceSplit> assignment) {
            assignment.assignment().values().forEach(assigned::addAll);
        }

        @Override
        public Map<Integer, ReaderInfo> registeredReaders() {
            return Map.of(0, new ReaderInfo(0, "localhost"));
        }

        @Override
        public SplitEnumeratorMetricGroup metricGroup() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, SourceEvent event) {}

        @Override
        public int currentParallelism() {
            return 1;
        }

        @Override
        public void signalNoMoreSplits(int subtask) {}

        @Override
        public void runInCoordinatorThread(Runnable runnable) {
            runnable.run();
        }
    }

    /** Everything the reader asks for, one request per split handed out. */
    private static List<FileSourceSplit> drain(WatchingEnumerator e, Context c) {
        int before;
        do {
            before = c.assigned.size();
            e.handleSplitRequest(0, "localhost");
        } while (c.assigned.size() > before);
        return c.assigned;
    }

    private Path[] input() {
        return new Path[] {new Path(dir.toUri())};
    }

    @Test
    void newFilesAreHandedOutOnceInArrivalOrderAndAChangedOneIsAChangeSplit() throws Exception {
        write("b.csv", "k,v\nu,1\n", 1_000L);
        write("a.csv", "k,v\nu,2\n", 2_000L);
        Context c = new Context();
        WatchingEnumerator e = WatchingEnumerator.create(c, input(), 100);
        e.start();
        assertThat(drain(e, c)).extracting(s -> s.path().getName()).containsExactly("b.csv", "a.csv");

        c.list(); // nothing new
        assertThat(drain(e, c)).hasSize(2);

        // b.csv replaced by an atomic move, and a new file
        java.nio.file.Path replacement = dir.resolve(".b.tmp");
        Files.writeString(replacement, "k,v\nu,1\nu,3\n");
        Files.setLastModifiedTime(replacement, FileTime.fromMillis(3_000L));
        Files.move(replacement, dir.resolve("b.csv"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        write("c.csv", "k,v\nu,4\n", 4_000L);
        c.list();
        c.list(); // listed again: each change is seen once
        List<FileSourceSplit> all = drain(e, c);
        assertThat(all).hasSize(4);
        FileChange change = FileChange.of(all.get(2));
        assertThat(all.get(2).path().getName()).isEqualTo("b.csv");
        assertThat(change).isEqualTo(new FileChange(1, 8, 1_000L));
        assertThat(FileChange.of(all.get(3))).isNull();
        assertThat(all.get(3).path().getName()).isEqualTo("c.csv");
        RawLine line = change.line("b.csv", all.get(2));
        assertThat(line.seq()).isEqualTo(-1);
        assertThat(line.problemDetail()).contains("had 8 bytes").contains("now has 12");
    }

    @Test
    void aChangeMadeWhileTheJobWasStoppedIsSeenFromTheCheckpointAndNumberedOnAfterTheLastOne() throws Exception {
        write("a.csv", "k,v\nu,1\n", 1_000L);
        Context c = new Context();
        WatchingEnumerator e = WatchingEnumerator.create(c, input(), 100);
        e.start();
        drain(e, c);
        write("a.csv", "k,v\nu,1\nu,2\n", 2_000L); // appended to: change 1
        c.list();
        assertThat(drain(e, c)).hasSize(2);

        WatchingEnumerator.CheckpointSerializer serializer = new WatchingEnumerator.CheckpointSerializer();
        byte[] bytes = serializer.serialize(e.snapshotState(1));
        write("a.csv", "k,v\nu,1\nu,2\nu,3\n", 3_000L); // appended to again while stopped: change 2

        Context resumed = new Context();
        WatchingEnumerator restored = WatchingEnumerator.restore(resumed, input(), 100,
                serializer.deserialize(serializer.getVersion(), bytes));
        restored.start();
        resumed.list();
        assertThat(drain(restored, resumed)).singleElement()
                .satisfies(s -> assertThat(FileChange.of(s)).isEqualTo(new FileChange(2, 12, 2_000L)));
    }

    @Test
    void aCheckpointInFlinksOwnFormatResumesWithTheFilesAsTheyAreThen() throws Exception {
        write("a.csv", "k,v\nu,1\n", 1_000L);
        write("b.csv", "k,v\nu,2\n", 2_000L);
        FileSourceSplit pendingB = InputFiles.of(dir.toString()).get(1);
        // what Flink's ContinuousFileSplitEnumerator wrote: a.csv read, b.csv pending
        byte[] flink = new PendingSplitsCheckpointSerializer<>(FileSourceSplitSerializer.INSTANCE)
                .serialize(PendingSplitsCheckpoint.fromCollectionSnapshot(List.of(pendingB),
                        List.of(InputFiles.of(dir.toString()).get(0).path(), pendingB.path())));
        write("a.csv", "k,v\nu,1\nu,9\n", 3_000L); // changed while stopped: not knowable from that checkpoint

        Context c = new Context();
        WatchingEnumerator e = WatchingEnumerator.restore(c, input(), 100,
                new WatchingEnumerator.CheckpointSerializer().deserialize(1, flink));
        e.start();
        c.list();
        assertThat(drain(e, c)).singleElement().satisfies(s -> {
            assertThat(s.path().getName()).isEqualTo("b.csv");
            assertThat(FileChange.of(s)).isNull();
        });
        write("a.csv", "k,v\nu,1\nu,9\nu,10\n", 4_000L); // changed after that: seen
        c.list();
        assertThat(drain(e, c)).hasSize(2).last()
                .satisfies(s -> assertThat(FileChange.of(s)).isEqualTo(new FileChange(1, 12, 3_000L)));
    }
}

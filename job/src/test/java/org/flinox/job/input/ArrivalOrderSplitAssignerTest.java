package org.flinox.job.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;

class ArrivalOrderSplitAssignerTest {

    private static FileSourceSplit split(String path, long modified) {
        return new FileSourceSplit(path, new Path(path), 0, 10, modified, 10);
    }

    private static List<String> drain(ArrivalOrderSplitAssigner assigner) {
        List<String> paths = new ArrayList<>();
        Optional<FileSourceSplit> next;
        while ((next = assigner.getNext("somehost")).isPresent()) {
            paths.add(next.get().path().getPath());
        }
        return paths;
    }

    @Test
    void handsOutByModificationTimeThenPath() {
        var assigner = new ArrivalOrderSplitAssigner(List.of(
                split("/in/a.csv", 30), split("/in/z.csv", 10), split("/in/c.csv", 20),
                split("/in/b.csv", 20)));
        assertThat(drain(assigner)).containsExactly("/in/z.csv", "/in/b.csv", "/in/c.csv", "/in/a.csv");
    }

    @Test
    void splitsAddedLaterTakeTheirPlaceInTheOrder() {
        var assigner = new ArrivalOrderSplitAssigner(List.of(split("/in/a.csv", 30)));
        assigner.addSplits(List.of(split("/in/b.csv", 5)));
        assertThat(drain(assigner)).containsExactly("/in/b.csv", "/in/a.csv");
    }

    @Test
    void remainingSplitsAreThoseNotHandedOutInOrder() {
        var assigner = new ArrivalOrderSplitAssigner(List.of(
                split("/in/a.csv", 3), split("/in/b.csv", 1), split("/in/c.csv", 2)));
        assigner.getNext(null);
        assertThat(assigner.remainingSplits())
                .extracting(s -> s.path().getPath())
                .containsExactly("/in/c.csv", "/in/a.csv");
    }
}

package org.flinox.job.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {

    @TempDir Path dir;

    private Path write(String name, long modifiedMillis) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, name);
        Files.setLastModifiedTime(file, FileTime.fromMillis(modifiedMillis));
        return file;
    }

    private static List<String> names(List<FileSourceSplit> splits, Path root) {
        return splits.stream().map(s -> root.relativize(Path.of(s.path().toUri())).toString()).toList();
    }

    @Test
    void aDirectoryHoldsItsVisibleFilesAndThoseOfItsSubdirectoriesInArrivalOrder() throws IOException {
        write("b.csv", 3_000L);
        write("a.jsonl", 2_000L);
        write("sub/c.csv", 1_000L);
        write("sub/d.csv", 2_000L); // the same time as a.jsonl: then by path
        write("_SUCCESS", 500L);
        write(".part.csv", 500L);
        write(".hidden/e.csv", 500L);
        write("_temporary/f.csv", 500L);
        assertThat(names(InputFiles.of(dir.toString()), dir)).containsExactly("sub/c.csv", "a.jsonl", "sub/d.csv", "b.csv");
    }

    @Test
    void aSplitRecordsTheFilesLengthAndModificationTime() throws IOException {
        Path f = write("a.csv", 1_234_000L);
        FileSourceSplit split = InputFiles.of(f.toString()).get(0);
        assertThat(split.fileSize()).isEqualTo(Files.size(f)).isEqualTo(split.length());
        assertThat(split.fileModificationTime()).isEqualTo(1_234_000L);
    }

    @Test
    void anInputThatIsAFileIsThatFileWhateverItsName() throws IOException {
        Path f = write("_data.csv", 1L);
        assertThat(InputFiles.of(f.toString())).singleElement()
                .satisfies(s -> assertThat(s.path().getName()).isEqualTo("_data.csv"));
    }

    @Test
    void symbolicLinksAreFollowedAndTheirLoopsAndLinksToNothingSkipped() throws IOException {
        write("a.csv", 1L);
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("x.csv"), "x");
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.createSymbolicLink(in.resolve("linked"), elsewhere);
        Files.createSymbolicLink(in.resolve("up"), dir); // a loop: in/up/in/up/...
        Files.createSymbolicLink(in.resolve("ping.csv"), in.resolve("pong.csv"));
        Files.createSymbolicLink(in.resolve("pong.csv"), in.resolve("ping.csv"));
        Files.createSymbolicLink(in.resolve("none.csv"), in.resolve("missing.csv"));
        assertThat(names(InputFiles.of(in.toString()), in))
                .containsExactlyInAnyOrder("linked/x.csv", "up/a.csv", "up/elsewhere/x.csv"); // not up/in/...
    }

    @Test
    void theEnumeratorNumbersItsSplitsAndSkipsWhatTheStartChecksSkip() throws IOException {
        write("a.csv", 1L);
        write("b.csv", 2L);
        Files.createSymbolicLink(dir.resolve("loop"), dir);
        InputFiles enumerator = new InputFiles();
        var first = enumerator.enumerateSplits(new org.apache.flink.core.fs.Path[] {new org.apache.flink.core.fs.Path(dir.toUri())}, 1);
        var again = enumerator.enumerateSplits(new org.apache.flink.core.fs.Path[] {new org.apache.flink.core.fs.Path(dir.toUri())}, 1);
        assertThat(first).extracting(FileSourceSplit::splitId).containsExactly("0000000001", "0000000002");
        assertThat(again).extracting(FileSourceSplit::splitId).containsExactly("0000000003", "0000000004");
        assertThat(first).extracting(FileSourceSplit::path).containsExactlyElementsOf(
                InputFiles.of(dir.toString()).stream().map(FileSourceSplit::path).toList());
    }

    @Test
    void aMissingInputIsAnError() {
        assertThatThrownBy(() -> InputFiles.of(dir.resolve("nope").toString())).isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining("nope");
    }

    @Test
    void compressionIsTheFileSourcesRuleAndTheFormatTheExtensionBeforeIt() {
        assertThat(InputFiles.isCompressed("a.csv.gz")).isTrue();
        assertThat(InputFiles.isCompressed("a.csv.bz2")).isTrue();
        assertThat(InputFiles.isCompressed("a.csv")).isFalse();
        assertThat(InputFiles.isCompressed("a.csv.zst")).isFalse(); // Flink's file source does not decompress zstd
        assertThat(InputFormat.fromPath("a.jsonl.xz")).isEqualTo(InputFormat.JSONL);
        assertThatThrownBy(() -> InputFormat.fromPath("a.csv.zst")).hasMessageContaining("--format");
    }
}

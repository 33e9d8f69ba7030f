package org.flinox.job.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureInferenceTest {

    @TempDir Path dir;

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    @Test
    void csvFeaturesAreTheNumericColumnsButTheKeyInHeaderOrder() throws IOException {
        Path f = write("a.csv", "k,b,name,a\nu1,2.5,hello,-1\n");
        assertThat(FeatureInference.defaultFeatures(f, InputFormat.CSV, "k")).containsExactly("b", "a");
    }

    @Test
    void csvRecordsThatDoNotParseAreSkipped() throws IOException {
        // empty line, broken quote, wrong column count, then the first record that parses
        Path f = write("a.csv", "k,a,b\n\nu1,\"1,2\nu1,1\nu2,x,3\n");
        assertThat(FeatureInference.defaultFeatures(f, InputFormat.CSV, "k")).containsExactly("b");
    }

    @Test
    void withoutKeyANumericKeyColumnIsAFeature() throws IOException {
        Path f = write("a.csv", "id,a\n7,1\n");
        assertThat(FeatureInference.defaultFeatures(f, InputFormat.CSV, null)).containsExactly("id", "a");
    }

    @Test
    void jsonFeaturesAreNumbersAndNumericStringsButTheKeyInFieldOrder() throws IOException {
        Path f = write("a.jsonl",
                "{\"t\":1,\"id\":3,\"label\":\"x\",\"v\":\"2.0\",\"flag\":true,\"o\":{\"n\":1}}\n");
        assertThat(FeatureInference.defaultFeatures(f, InputFormat.JSONL, "id")).containsExactly("t", "v");
    }

    @Test
    void jsonRecordsThatAreNotObjectsAreSkipped() throws IOException {
        Path f = write("a.jsonl", "[1,2]\n{\"a\":\n{\"b\":1}\n");
        assertThat(FeatureInference.defaultFeatures(f, InputFormat.JSONL, null)).containsExactly("b");
    }

    @Test
    void aJsonArrayOfRecordsIsToldThatJsonLinesHoldOneObjectPerLine() throws IOException {
        for (String text : new String[] {"[{\"a\":1},\n{\"a\":2}]\n", "[{\"a\":1},{\"a\":2}]\n", "[\n{\"a\":1}\n]\n"}) {
            Path f = write("a.jsonl", text);
            assertThatThrownBy(() -> FeatureInference.defaultFeatures(f, InputFormat.JSONL, null)).as(text)
                    .hasMessageContaining("is a JSON array, not JSON lines").hasMessageContaining("one JSON object per line");
        }
    }

    @Test
    void aHeaderOnlyCsvIsToldItHasNoDataRows() throws IOException {
        Path f = write("a.csv", "k,a,b\n\n");
        assertThatThrownBy(() -> FeatureInference.defaultFeatures(f, InputFormat.CSV, "k"))
                .hasMessageContaining("has a header but no data rows");
    }

    @Test
    void firstParsedRecordWithoutNumbersIsAnErrorNamingTheFile() throws IOException {
        Path f = write("a.csv", "k,name\nu1,hello\nu2,3\n");
        assertThatThrownBy(() -> FeatureInference.defaultFeatures(f, InputFormat.CSV, "k"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("--features");
    }

    @Test
    void fileWhereNothingParsesIsAnError() throws IOException {
        Path f = write("a.jsonl", "not json\n\n");
        assertThatThrownBy(() -> FeatureInference.defaultFeatures(f, InputFormat.JSONL, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString());
    }

    @Test
    void keyNotInTheHeaderIsAnError() throws IOException {
        Path f = write("a.csv", "a,b\n1,2\n");
        assertThatThrownBy(() -> FeatureInference.defaultFeatures(f, InputFormat.CSV, "user"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'user'");
    }

    @Test
    void inputFilesOfADirectoryAreVisibleRegularFilesInNameOrder() throws IOException {
        write("b.csv", "");
        write("a.jsonl", "");
        write("_SUCCESS", "");
        write(".part.csv", "");
        Files.createDirectory(dir.resolve("sub"));
        assertThat(FeatureInference.inputFiles(dir))
                .containsExactly(dir.resolve("a.jsonl"), dir.resolve("b.csv"));
    }

    @Test
    void inputFilesOfAFileIsTheFile() throws IOException {
        Path f = write("x.csv", "");
        assertThat(FeatureInference.inputFiles(f)).containsExactly(f);
    }

    @Test
    void inputFilesOfAMissingPathIsAnError() {
        assertThatThrownBy(() -> FeatureInference.inputFiles(dir.resolve("nope")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope");
    }

    @Test
    void inferredFeaturesAreAcceptedByTheParser() throws IOException {
        Path f = write("a.csv", "k,a,b\nu1,1,2\n");
        List<String> features = FeatureInference.defaultFeatures(f, InputFormat.CSV, "k");
        var parsed = new RecordParser(InputFormat.CSV, "k", features)
                .parse(new RawLine("a.csv", 0, "u1,1,2", "k,a,b"));
        assertThat(parsed).isInstanceOf(RecordParser.Accepted.class);
    }
}

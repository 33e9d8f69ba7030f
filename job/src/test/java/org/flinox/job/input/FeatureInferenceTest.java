package org.flinox.job.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureInferenceTest {

    @TempDir Path dir;

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    /** The features inferred for an input, its files read as the job reads them. */
    private static List<String> features(Path input, InputFormat format, String key) throws IOException {
        return FeatureInference.defaultFeatures(InputSample.of(InputFiles.of(input.toString()), format, input.toString()), key);
    }

    @Test
    void csvFeaturesAreTheNumericColumnsButTheKeyInHeaderOrder() throws IOException {
        Path f = write("a.csv", "k,b,name,a\nu1,2.5,hello,-1\n");
        assertThat(features(f, InputFormat.CSV, "k")).containsExactly("b", "a");
    }

    @Test
    void csvRecordsThatDoNotParseAreSkipped() throws IOException {
        // empty line, broken quote, wrong column count, then the first record that parses
        Path f = write("a.csv", "k,a,b\n\nu1,\"1,2\nu1,1\nu2,x,3\n");
        assertThat(features(f, InputFormat.CSV, "k")).containsExactly("b");
    }

    @Test
    void aColumnWhoseFirstValueIsMissingIsJudgedByItsNextValue() throws IOException {
        Path f = write("a.csv", "k,a,b,c,d\nu1,,NA,n/a,x\nu2,1,2,None,3\nu3,2,null,4,y\n");
        // a: empty then 1; b: NA then 2; c: n/a, None, then 4; d: x first (not a number), so not a feature
        assertThat(features(f, InputFormat.CSV, "k")).containsExactly("a", "b", "c");
        Path j = write("b.jsonl", "{\"k\":\"u1\",\"a\":null,\"b\":\"NA\"}\n{\"k\":\"u2\",\"a\":1.5,\"b\":2}\n");
        assertThat(features(j, InputFormat.JSONL, "k")).containsExactly("a", "b");
    }

    @Test
    void aColumnEveryLookedAtValueOfWhichIsMissingIsNotAFeature() throws IOException {
        Path f = write("a.csv", "k,a,b\nu1,1,\nu2,2,NA\n");
        assertThat(features(f, InputFormat.CSV, "k")).containsExactly("a");
    }

    @Test
    void withoutKeyANumericKeyColumnIsAFeature() throws IOException {
        Path f = write("a.csv", "id,a\n7,1\n");
        assertThat(features(f, InputFormat.CSV, null)).containsExactly("id", "a");
    }

    @Test
    void jsonFeaturesAreNumbersAndNumericStringsButTheKeyInFieldOrder() throws IOException {
        Path f = write("a.jsonl",
                "{\"t\":1,\"id\":3,\"label\":\"x\",\"v\":\"2.0\",\"flag\":true,\"o\":{\"n\":1}}\n");
        assertThat(features(f, InputFormat.JSONL, "id")).containsExactly("t", "v");
    }

    @Test
    void jsonFieldsOfLaterRecordsAreLookedAtToo() throws IOException {
        Path f = write("a.jsonl", "{\"k\":\"u\",\"a\":1}\n{\"k\":\"u\",\"a\":2,\"b\":3}\n");
        assertThat(features(f, InputFormat.JSONL, "k")).containsExactly("a", "b");
    }

    @Test
    void jsonRecordsThatAreNotObjectsAreSkipped() throws IOException {
        Path f = write("a.jsonl", "[1,2]\n{\"a\":\n{\"b\":1}\n");
        assertThat(features(f, InputFormat.JSONL, null)).containsExactly("b");
    }

    @Test
    void compressedFilesAreReadAsTheJobReadsThem() throws IOException {
        byte[] csv = "k,a,b\nu1,1,2\nu2,3,4\n".getBytes(StandardCharsets.UTF_8);
        Path gz = dir.resolve("a.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(csv);
        }
        Path bz2 = dir.resolve("b.csv.bz2");
        try (OutputStream out = new BZip2CompressorOutputStream(Files.newOutputStream(bz2))) {
            out.write(csv);
        }
        assertThat(features(gz, InputFormat.CSV, "k")).containsExactly("a", "b");
        assertThat(features(bz2, InputFormat.CSV, "k")).containsExactly("a", "b");
    }

    @Test
    void linesThatAreNotUtf8AreLeftToTheDeadLettersAsTheJobLeavesThem() throws IOException {
        Path f = dir.resolve("a.csv");
        Files.write(f, new byte[] {'k', ',', 'a', '\n', 'u', (byte) 0xff, ',', 'x', '\n', 'u', ',', '1', '\n'});
        assertThat(features(f, InputFormat.CSV, "k")).containsExactly("a");
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstFieldOfACsvOrJsonFile() throws IOException {
        assertThat(features(write("a.csv", "\uFEFFa,b\n1,2\n"), InputFormat.CSV, null)).containsExactly("a", "b");
        assertThat(features(write("b.jsonl", "\uFEFF{\"a\":1}\n"), InputFormat.JSONL, null)).containsExactly("a");
    }

    @Test
    void theFirstFileIsTheOldestAsTheJobReadsThemNotTheFirstByName() throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.writeString(in.resolve("a.csv"), "k,late\nu,1\n");
        Files.setLastModifiedTime(in.resolve("a.csv"), FileTime.fromMillis(2_000_000L));
        Files.writeString(in.resolve("b.csv"), "k,early\nu,1\n");
        Files.setLastModifiedTime(in.resolve("b.csv"), FileTime.fromMillis(1_000_000L));
        assertThat(features(in, InputFormat.CSV, "k")).containsExactly("early");
    }

    @Test
    void aFileWithoutRecordsIsPassedOverForTheNextOne() throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.writeString(in.resolve("a.csv"), "k,a\n");
        Files.setLastModifiedTime(in.resolve("a.csv"), FileTime.fromMillis(1_000_000L));
        Files.writeString(in.resolve("b.csv"), "k,a\nu,1\n");
        Files.setLastModifiedTime(in.resolve("b.csv"), FileTime.fromMillis(2_000_000L));
        assertThat(features(in, InputFormat.CSV, "k")).containsExactly("a");
    }

    @Test
    void aHeaderOnlyCsvIsToldItHasNoDataRows() throws IOException {
        Path f = write("a.csv", "k,a,b\n");
        assertThatThrownBy(() -> features(f, InputFormat.CSV, "k"))
                .hasMessageContaining("has a header but no data rows");
        Path blank = write("b.csv", "k,a,b\n\n");
        assertThatThrownBy(() -> features(blank, InputFormat.CSV, "k")).hasMessageContaining("no record that parses");
    }

    @Test
    void firstParsedRecordsWithoutNumbersAreAnErrorNamingTheFile() throws IOException {
        Path f = write("a.csv", "k,name\nu1,hello\nu2,3\n");
        assertThatThrownBy(() -> features(f, InputFormat.CSV, "k"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("--features");
    }

    @Test
    void fileWhereNothingParsesIsAnError() throws IOException {
        Path f = write("a.jsonl", "not json\n\n");
        assertThatThrownBy(() -> features(f, InputFormat.JSONL, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString());
    }

    @Test
    void inferredFeaturesAreAcceptedByTheParser() throws IOException {
        Path f = write("a.csv", "k,a,b\nu1,1,2\n");
        List<String> features = features(f, InputFormat.CSV, "k");
        var parsed = new RecordParser(InputFormat.CSV, "k", features)
                .parse(new RawLine("a.csv", 0, "u1,1,2", "k,a,b"));
        assertThat(parsed).isInstanceOf(RecordParser.Accepted.class);
    }
}

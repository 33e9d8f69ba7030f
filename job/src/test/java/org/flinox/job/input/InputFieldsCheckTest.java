package org.flinox.job.input;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFieldsCheckTest {

    @TempDir Path dir;

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }

    private static void check(Path input, InputFormat format, String key, List<String> features) throws IOException {
        InputFieldsCheck.check(InputSample.of(InputFiles.of(input.toString()), format, input.toString()), key, features);
    }

    @Test
    void featuresNamingAFieldTwiceOrTheKeyAreRefused() {
        assertThatThrownBy(() -> InputFieldsCheck.requireDistinctFeatures("k", List.of("a", "b", "a")))
                .hasMessageContaining("--features names 'a' more than once (a,b,a)");
        assertThatThrownBy(() -> InputFieldsCheck.requireDistinctFeatures("k", List.of("a", "k")))
                .hasMessageContaining("--features names the --key field 'k'").hasMessageContaining("leave it out");
        assertThatCode(() -> InputFieldsCheck.requireDistinctFeatures(null, List.of("a", "b"))).doesNotThrowAnyException();
        assertThatCode(() -> InputFieldsCheck.requireDistinctFeatures("k", null)).doesNotThrowAnyException();
    }

    @Test
    void aFeatureThatIsNotANumberInAnyOfAFilesFirstRecordsIsRefusedNamingTheFileAndTheValues() throws IOException {
        Path in = write("in/b.csv", "k,a,name\nu,1,boiler-1\nu,2,boiler-1\nu,3,\nu,4,boiler-2\n");
        assertThatThrownBy(() -> check(dir.resolve("in"), InputFormat.CSV, "k", List.of("a", "name")))
                .hasMessageContaining("--features 'name' is not a number in any of the first 4 records of " + in)
                .hasMessageContaining("(its values include 'boiler-1', 'boiler-2')");
        Path json = write("j.jsonl", "{\"k\":\"u\",\"a\":1,\"on\":true}\n");
        assertThatThrownBy(() -> check(json, InputFormat.JSONL, "k", List.of("on"))).hasMessageContaining("'true'");
    }

    @Test
    void aFeatureWithSomeNumbersOrNoValueYetIsLeftToTheDeadLetters() throws IOException {
        Path f = write("a.csv", "k,a,b\nu,warm,\nu,2,NA\n");
        assertThatCode(() -> check(f, InputFormat.CSV, "k", List.of("a", "b"))).doesNotThrowAnyException();
    }

    @Test
    void aKeyOrFeatureNotInAHeaderNamesTheFieldsThereAreAndTheClosest() throws IOException {
        Path f = write("prices.csv", "symbol,price,vol\nx,1,2\n");
        assertThatThrownBy(() -> check(f, InputFormat.CSV, "Symbol", null))
                .hasMessage("--key 'Symbol' is not a field of " + f + " (its header has: symbol, price, vol); did you mean 'symbol'?");
        assertThatThrownBy(() -> check(f, InputFormat.CSV, "symbol", List.of("prize")))
                .hasMessageContaining("--features 'prize'").hasMessageContaining("did you mean 'price'?");
    }

    @Test
    void aJsonFieldNotInTheFirstRecordsIsRefused() throws IOException {
        Path f = write("a.jsonl", "{\"id\":\"a\",\"temp\":1}\n{\"id\":\"b\",\"temp\":2,\"hum\":5}\n");
        assertThatThrownBy(() -> check(f, InputFormat.JSONL, "id", List.of("temp", "humm")))
                .hasMessageContaining("its first 2 records have: id, temp, hum").hasMessageContaining("did you mean 'hum'?");
    }

    @Test
    void aCsvHeaderNamingAColumnTwiceIsRefusedInASubdirectoryToo() throws IOException {
        write("in/a.csv", "k,a\nu,1\n");
        Path twice = write("in/sub/b.csv", "k,a,a\nu,1,2\n");
        assertThatThrownBy(() -> check(dir.resolve("in"), InputFormat.CSV, "k", List.of("a")))
                .hasMessageContaining("the CSV header of " + twice + " names column 'a' more than once");
    }

    @Test
    void aJsonArrayIsToldThatJsonLinesHoldOneObjectPerLine() throws IOException {
        for (String text : new String[] {"[{\"a\":1},\n{\"a\":2}]\n", "[{\"a\":1},{\"a\":2}]\n", "\n[\n{\"a\":1}\n]\n"}) {
            Path f = write("a.jsonl", text);
            assertThatThrownBy(() -> check(f, InputFormat.JSONL, null, null)).as(text)
                    .hasMessageContaining("is a JSON array, not JSON lines").hasMessageContaining("one JSON object per line");
        }
    }
}

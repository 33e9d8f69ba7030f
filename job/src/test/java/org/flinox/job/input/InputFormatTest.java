package org.flinox.job.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InputFormatTest {

    @Test
    void csvExtensionIsCsv() {
        assertThat(InputFormat.fromPath("/data/in.CSV")).isEqualTo(InputFormat.CSV);
    }

    @Test
    void jsonLinesExtensionsAreJsonl() {
        assertThat(InputFormat.fromPath("a.jsonl")).isEqualTo(InputFormat.JSONL);
        assertThat(InputFormat.fromPath("dir.csv/a.json")).isEqualTo(InputFormat.JSONL);
        assertThat(InputFormat.fromPath("file:///x/a.ndjson")).isEqualTo(InputFormat.JSONL);
    }

    @Test
    void otherExtensionIsRefusedNamingTheFileAndTheFlag() {
        assertThatThrownBy(() -> InputFormat.fromPath("/data/in.txt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/data/in.txt")
                .hasMessageContaining("--format");
    }
}

package org.flinox.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinox.job.input.RawLine;
import org.flinox.operators.DeadLetterReason;
import org.junit.jupiter.api.Test;

class KafkaLineDeserializerTest {

    private static RawLine deserialize(byte[] value) {
        List<RawLine> out = new ArrayList<>();
        new KafkaLineDeserializer(null).deserialize(new ConsumerRecord<>("t", 2, 17L, null, value), new Collector<>() {
            @Override
            public void collect(RawLine record) {
                out.add(record);
            }

            @Override
            public void close() {}
        });
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    @Test
    void aValueThatIsNotUtf8IsTaggedInsteadOfDecodedToReplacementCharacters() {
        RawLine bad = deserialize(new byte[] {'{', '"', 'k', '"', ':', '"', 's', (byte) 0xff, '"', '}'});
        assertThat(bad.source()).isEqualTo("t-2");
        assertThat(bad.seq()).isEqualTo(17L);
        assertThat(bad.problem()).isEqualTo(DeadLetterReason.INVALID_UTF8);
        assertThat(bad.problemDetail()).contains("0xff").contains("byte 7");
    }

    @Test
    void aUtf8ValueIsTheLine() {
        assertThat(deserialize("{\"k\":\"é\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo(new RawLine("t-2", 17L, "{\"k\":\"é\"}", null));
    }
}

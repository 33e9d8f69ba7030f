package org.flinox.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinox.job.input.InputFormat;
import org.flinox.job.input.RawLine;
import org.flinox.job.input.RecordParser;
import org.flinox.job.kafka.KafkaAddress;
import org.flinox.job.kafka.KafkaLineDeserializer;
import org.flinox.job.kafka.KafkaSettings;
import org.flinox.operators.DeadLetterReason;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class KafkaOptionsTest {

    private static JobSettings resolve(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--checkpoint-dir";
        all[args.length + 1] = "file:///tmp/flinox-kafka-options-test";
        return JobRunner.resolve(CommandLine.populateCommand(new RunOptions(), all));
    }

    @Test
    void parsesAnAddressWithOneOrSeveralBootstrapServers() {
        assertThat(KafkaAddress.parse("kafka://localhost:9092/sensors"))
                .isEqualTo(new KafkaAddress("localhost:9092", "sensors"));
        assertThat(KafkaAddress.parse("kafka://b1:9092,b2:19092/z.scores_v-1"))
                .isEqualTo(new KafkaAddress("b1:9092,b2:19092", "z.scores_v-1"));
        assertThat(KafkaAddress.isKafka("/data/kafka://x")).isFalse();
    }

    @Test
    void refusesAnAddressWithoutPortOrTopic() {
        for (String bad : List.of("kafka://localhost/sensors", "kafka://localhost:9092", "kafka://localhost:9092/",
                "kafka:///sensors", "kafka://localhost:9092/a/b", "kafka://localhost:x/a", "kafka://h:1/bad topic")) {
            assertThatThrownBy(() -> KafkaAddress.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad);
        }
    }

    @Test
    void aKeyOrFeatureNotInTheCsvHeaderIsRefusedAtStart() {
        assertThatThrownBy(() -> resolve("--input", "kafka://localhost:9092/in", "--csv-header", "id,temp,hum",
                "--key", "ID", "--features", "temp"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--key 'ID'")
                .hasMessageContaining("did you mean 'id'?");
        assertThatThrownBy(() -> resolve("--input", "kafka://localhost:9092/in", "--csv-header", "id,temp,hum",
                "--key", "id", "--features", "temp,humid"))
                .hasMessageContaining("--features 'humid'").hasMessageContaining("id, temp, hum");
    }

    @Test
    void kafkaDefaultsComeFromTheModelNameAndTheOutputTopic() {
        JobSettings s = resolve("--input", "kafka://localhost:9092/in", "--features", "a,b",
                "--output", "kafka://localhost:9092/out");
        assertThat(s.format()).isEqualTo(InputFormat.JSONL);
        assertThat(s.deadLetters()).isEqualTo("kafka://localhost:9092/out-dead-letters");
        assertThat(s.kafka().groupId()).isEqualTo("flinox-standardize");
        assertThat(s.kafka().transactionalIdPrefix()).isEqualTo("flinox-standardize");
        assertThat(s.kafka().startingOffsets()).isEqualTo(KafkaSettings.StartingOffsets.EARLIEST);
        assertThat(s.kafka().bounded()).isFalse();
        assertThat(s.kafka().properties()).isEmpty();
    }

    @Test
    void kafkaFlagsAreResolved() {
        JobSettings s = resolve("--input", "kafka://localhost:9092/in", "--features", "a", "--csv-header", "id,a",
                "--group-id", "g", "--starting-offsets", "committed", "--transactional-id-prefix", "tx",
                "--kafka-property", "transaction.timeout.ms=120000", "--kafka-property", "client.rack=r1",
                "--bounded");
        assertThat(s.format()).isEqualTo(InputFormat.CSV);
        assertThat(s.kafka()).isEqualTo(new KafkaSettings(
                java.util.Map.of("transaction.timeout.ms", "120000", "client.rack", "r1"), "g",
                KafkaSettings.StartingOffsets.COMMITTED, "id,a", "tx", true));
    }

    @Test
    void aKafkaInputNeedsItsFeaturesAndCsvValuesTheirHeader() {
        assertThatThrownBy(() -> resolve("--input", "kafka://localhost:9092/in"))
                .hasMessageContaining("--features");
        assertThatThrownBy(() -> resolve("--input", "kafka://localhost:9092/in", "--features", "a", "--format", "csv"))
                .hasMessageContaining("--csv-header");
        assertThatThrownBy(() -> resolve("--input", "kafka://localhost:9092/in", "--features", "a",
                "--starting-offsets", "newest")).hasMessageContaining("earliest, latest or committed");
    }

    @Test
    void csvHeaderIsRefusedForAFileInput() {
        assertThatThrownBy(() -> resolve("--input", "in.csv", "--features", "a", "--csv-header", "a"))
                .hasMessageContaining("--csv-header is for a kafka:// input");
    }

    @Test
    void aRecordBecomesARawLineOfItsTopicPartitionAndOffset() {
        List<RawLine> out = new ArrayList<>();
        Collector<RawLine> collector = collector(out);
        new KafkaLineDeserializer("id,a").deserialize(
                new ConsumerRecord<>("in", 2, 41L, "k".getBytes(), "u1,2.5".getBytes()), collector);
        new KafkaLineDeserializer(null).deserialize(new ConsumerRecord<>("in", 0, 7L, null, null), collector);

        assertThat(out).containsExactly(new RawLine("in-2", 41, "u1,2.5", "id,a"), new RawLine("in-0", 7, "", null));
        RecordParser.Parsed csv = new RecordParser(InputFormat.CSV, "id", List.of("a")).parse(out.get(0));
        assertThat(((RecordParser.Accepted) csv).record().features()).containsExactly(2.5);
        RecordParser.Parsed tombstone = new RecordParser(InputFormat.JSONL, null, List.of("a")).parse(out.get(1));
        assertThat(((RecordParser.Rejected) tombstone).deadLetter().reason()).isEqualTo(DeadLetterReason.EMPTY);
    }

    @Test
    void kafkaReadersAreChainedToParsingSoNoShuffleComesBeforeTheKeyBy() {
        JobSettings s = resolve("--input", "kafka://localhost:9092/in", "--features", "a",
                "--output", "kafka://localhost:9092/out", "--parallelism", "3");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        JobPipeline.build(env, s);
        JobGraph graph = env.getStreamGraph().getJobGraph();

        JobVertex source = null;
        for (JobVertex v : graph.getVertices()) {
            if (v.getName().startsWith("Source: input kafka://localhost:9092/in")) {
                source = v;
            }
        }
        assertThat(source).isNotNull();
        assertThat(source.getName()).contains("-> parse");
        assertThat(source.getParallelism()).isEqualTo(3);
    }

    private static Collector<RawLine> collector(List<RawLine> out) {
        return new Collector<>() {
            @Override
            public void collect(RawLine record) {
                out.add(record);
            }

            @Override
            public void close() {}
        };
    }
}

package org.flinox.job.kafka;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinox.job.input.RawLine;
import org.flinox.job.input.Utf8LineFormat;

/**
 * A Kafka record as a {@link RawLine}: {@code source} is {@code TOPIC-PARTITION}, {@code seq}
 * the record's offset, {@code text} its value (UTF-8; a null value is an empty line, which the
 * parser rejects), {@code header} the CSV header given on the command line (null for JSON). The
 * record key is not read: the stream key comes from the value's key field, like for files.
 */
public final class KafkaLineDeserializer implements KafkaRecordDeserializationSchema<RawLine> {
    private static final long serialVersionUID = 1L;

    private final String csvHeader;

    /** @param csvHeader the header of CSV values, or null for JSON values */
    public KafkaLineDeserializer(String csvHeader) {
        this.csvHeader = csvHeader;
    }

    /** The {@code source} of a record of this topic and partition. */
    public static String source(String topic, int partition) {
        return topic + "-" + partition;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawLine> out) {
        byte[] value = record.value() == null ? new byte[0] : record.value();
        Utf8LineFormat.Line line = Utf8LineFormat.decode(Utf8LineFormat.strictDecoder(), value, value.length);
        out.collect(new RawLine(source(record.topic(), record.partition()), record.offset(), line.text(), csvHeader,
                line.problem(), line.detail()));
    }

    @Override
    public TypeInformation<RawLine> getProducedType() {
        return TypeInformation.of(RawLine.class);
    }
}

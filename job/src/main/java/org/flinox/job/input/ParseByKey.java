package org.flinox.job.input;

import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.flinox.operators.DeadLetter;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.ModelMetrics;

/**
 * {@link ParseFunction} after the lines were keyed ({@link KeyedLine}): the same parse, the
 * same records and dead letters, on the subtask that holds the line's key. It keeps no state;
 * its records go on, forward, to the model of that key.
 */
public final class ParseByKey extends KeyedProcessFunction<String, KeyedLine, FeatureRecord> {

    private static final long serialVersionUID = 1L;

    private final RecordParser parser;
    private final OutputTag<DeadLetter> deadLetters;
    private transient ModelMetrics.DeadLetterCounters counted;

    public ParseByKey(RecordParser parser, OutputTag<DeadLetter> deadLetters) {
        this.parser = Objects.requireNonNull(parser, "parser");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    }

    @Override
    public void open(OpenContext context) {
        counted = ModelMetrics.DeadLetterCounters.register(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(KeyedLine line, Context ctx, Collector<FeatureRecord> out) {
        RecordParser.Parsed parsed = parser.parse(line.line());
        if (parsed instanceof RecordParser.Accepted a) {
            out.collect(a.record());
        } else if (parsed instanceof RecordParser.Rejected r) {
            counted.count(r.deadLetter().reason());
            ctx.output(deadLetters, r.deadLetter());
        }
    }
}

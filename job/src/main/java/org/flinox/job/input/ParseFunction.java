package org.flinox.job.input;

import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.flinox.operators.DeadLetter;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.ModelMetrics;

/**
 * Parses each line with a {@link RecordParser}: an accepted record goes downstream, a rejected
 * one to the dead-letter side output. Bad input never fails the job.
 */
public final class ParseFunction extends ProcessFunction<RawLine, FeatureRecord> {

    private static final long serialVersionUID = 1L;

    private final RecordParser parser;
    private final OutputTag<DeadLetter> deadLetters;
    private transient ModelMetrics.DeadLetterCounters counted;

    public ParseFunction(RecordParser parser, OutputTag<DeadLetter> deadLetters) {
        this.parser = Objects.requireNonNull(parser, "parser");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    }

    @Override
    public void open(OpenContext context) {
        counted = ModelMetrics.DeadLetterCounters.register(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(RawLine line, Context ctx, Collector<FeatureRecord> out) {
        RecordParser.Parsed parsed = parser.parse(line);
        if (parsed instanceof RecordParser.Accepted a) {
            out.collect(a.record());
        } else if (parsed instanceof RecordParser.Rejected r) {
            counted.count(r.deadLetter().reason());
            ctx.output(deadLetters, r.deadLetter());
        }
    }
}

package org.flinox.operators;

import org.apache.flink.util.OutputTag;

/** The side output every Flinox operator sends unusable records to. */
public final class DeadLetters {

    /** Records that could not be used, with their reason. */
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters") {};

    private DeadLetters() {}
}

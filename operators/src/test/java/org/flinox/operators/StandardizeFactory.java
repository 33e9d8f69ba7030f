package org.flinox.operators;

import org.flinox.nn.Module;
import org.flinox.nn.Standardize;

/** A cumulative Standardize over {@code features} features, for operator tests. */
record StandardizeFactory(int features) implements ModelFactory {
    @Override
    public String name() {
        return "test-standardize";
    }

    @Override
    public int inputWidth() {
        return features;
    }

    @Override
    public Module create() {
        return Standardize.create(features);
    }
}

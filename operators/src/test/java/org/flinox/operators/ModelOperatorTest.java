package org.flinox.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.flinox.nn.Linear;
import org.flinox.nn.Module;
import org.flinox.nn.Rng;
import org.junit.jupiter.api.Test;

/** What only the operator does: the final state at the end of a bounded input. */
class ModelOperatorTest {

    /** A model without state: one linear layer. */
    record LinearFactory() implements ModelFactory {
        @Override
        public String name() {
            return "linear";
        }

        @Override
        public int inputWidth() {
            return 2;
        }

        @Override
        public Module create() {
            return Linear.create(2, 1, new Rng(3));
        }
    }

    @Test
    void aStatelessModelRunsAndLeavesNoFinalState() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new ModelOperator(new LinearFactory(), null, Set.of(), true, KeyBundles.OFF), FeatureRecord::key, Types.STRING);
        h.setup();
        h.open();
        h.processElement(new FeatureRecord("a", "f", 0, "", new double[] {1, 2}), 0);
        h.processElement(new FeatureRecord("b", "f", 1, "", new double[] {3, 4}), 0);
        h.endInput();
        assertThat(ModuleFunctionTest.outputs(h.getOutput())).hasSize(2);
        assertThat(h.getSideOutput(FinalState.TAG)).isNullOrEmpty();
        try (var keys = h.getOperator().getKeyedStateBackend().getKeys(ModelState.NAME,
                org.apache.flink.runtime.state.VoidNamespace.INSTANCE)) {
            assertThat(keys).as("nothing written for a model without state").isEmpty();
        }
        h.close();
    }
}

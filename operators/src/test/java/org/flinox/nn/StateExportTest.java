package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Key names and the exported tree, in inox's spelling from Java names. */
class StateExportTest {

    record Stats(StateRef first, StateRef second) {}

    record Net(Stats inStats, Linear l1) {}

    record Holder(StateRef stats) {}

    record Layers(List<Object> layers) {}

    static StateEntry zeros(int n) {
        return new StateEntry(Tensor.zeros(DType.FLOAT32, n));
    }

    static Net net() {
        return new Net(new Stats(zeros(3), new StateEntry(Tensor.ones(DType.FLOAT32, 3))),
                Linear.create(3, 2, new Rng(0)));
    }

    @Test
    void nestedRecordComponentsGiveDottedKeys() {
        State state = StateExport.exportState(net()).state();

        assertThat(state.keys()).extracting(StateKey::name).containsExactly(".inStats.first", ".inStats.second");
    }

    @Test
    void listElementsGiveIndexedKeys() {
        Layers tree = new Layers(List.of(Linear.create(2, 2, new Rng(0)), "relu", new Holder(zeros(2))));

        State state = StateExport.exportState(tree).state();

        assertThat(state.keys()).extracting(StateKey::name).containsExactly(".layers[2].stats");
    }

    @Test
    void mapEntriesGiveQuotedKeysAsInox() {
        // inox: export_state({'a': 1, 'b': StateEntry(...)}) has the key "['b']"
        Map<String, Object> tree = Map.of("a", 1, "b", zeros(2));

        State state = StateExport.exportState(tree).state();

        assertThat(state.keys()).extracting(StateKey::name).containsExactly("['b']");
    }

    @Test
    void initialValuesBecomeTheState() {
        State state = StateExport.exportState(net()).state();

        assertThat(state.get(new StateKey(".inStats.first")).toArray()).containsExactly(0, 0, 0);
        assertThat(state.get(new StateKey(".inStats.second")).toArray()).containsExactly(1, 1, 1);
    }

    @Test
    void exportedTreeHoldsKeysWhereEntriesWere() {
        Net exported = StateExport.exportState(net()).module();

        assertThat(exported.inStats().first()).isEqualTo(new StateKey(".inStats.first"));
        assertThat(exported.inStats().second()).isEqualTo(new StateKey(".inStats.second"));
    }

    @Test
    void exportLeavesParametersAndTheInputTreeAlone() {
        Net tree = net();

        Net exported = StateExport.exportState(tree).module();

        assertThat(exported.l1()).isSameAs(tree.l1());
        assertThat(tree.inStats().first()).isInstanceOf(StateEntry.class);
    }

    @Test
    void exportingTheSameTreeTwiceGivesEqualKeysAndStates() {
        Net tree = net();

        var first = StateExport.exportState(tree);
        var second = StateExport.exportState(tree);

        assertThat(second.module()).isEqualTo(first.module());
        assertThat(second.state()).isEqualTo(first.state());
    }

    @Test
    void aTreeWithoutStateExportsAnEmptyState() {
        assertThat(StateExport.exportState(Linear.create(2, 2, new Rng(0))).state().size()).isZero();
    }

    @Test
    void keyOfAnEntryThatWasNeverExportedSaysSo() {
        Holder unexported = new Holder(zeros(2));

        assertThatThrownBy(() -> unexported.stats().key())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("never exported");
    }
}

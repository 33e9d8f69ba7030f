package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParametersTest {

    record Two(Linear l1, Linear l2) {}

    record Seq(List<Linear> layers) {}

    record WithState(Linear l1, StateRef stats) {}

    record Cell(Linear linH, List<Linear> layers) {}

    @TempDir
    Path dir;

    /** A 2→3→1 tree with known values: weight i*0.1 + j*0.01, bias 0. */
    static Two two() {
        return new Two(
                new Linear(Tensor.of(DType.FLOAT32, new int[] {2, 3}, 0.0, 0.01, 0.02, 0.1, 0.11, 0.12),
                        Tensor.zeros(DType.FLOAT32, 3)),
                new Linear(Tensor.of(DType.FLOAT32, new int[] {3, 1}, 0.5, 0.6, 0.7), Tensor.zeros(DType.FLOAT32, 1)));
    }

    /** Arrays for every parameter of {@link #two()}, with other values. */
    static Map<String, Tensor> arraysForTwo() {
        Map<String, Tensor> a = new HashMap<>();
        a.put(".l1.weight", Tensor.of(DType.FLOAT32, new int[] {2, 3}, 1, 2, 3, 4, 5, 6));
        a.put(".l1.bias", Tensor.vector(DType.FLOAT32, -1, -2, -3));
        a.put(".l2.weight", Tensor.of(DType.FLOAT32, new int[] {3, 1}, 7, 8, 9));
        a.put(".l2.bias", Tensor.vector(DType.FLOAT32, 10));
        return a;
    }

    // ---- paths ------------------------------------------------------------------------------

    @Test
    void recordComponentsArePathsInSortedOrder() {
        assertThat(Parameters.of(two()).keySet())
                .containsExactly(".l1.bias", ".l1.weight", ".l2.bias", ".l2.weight");
    }

    @Test
    void parameterValuesAreTheTreesTensors() {
        Two tree = two();
        assertThat(Parameters.of(tree).get(".l2.weight")).isSameAs(tree.l2().weight());
    }

    @Test
    void listElementsAreIndexed() {
        Rng rng = new Rng(1);
        Seq seq = new Seq(List.of(Linear.create(2, 3, rng), Linear.create(3, 1, rng)));

        assertThat(Parameters.of(seq).keySet()).containsExactly(
                ".layers[0].bias", ".layers[0].weight", ".layers[1].bias", ".layers[1].weight");
    }

    @Test
    void stateEntriesAndKeysAreNotParameters() {
        Linear l1 = Linear.create(2, 2, new Rng(0));
        WithState unexported = new WithState(l1, new StateEntry(Tensor.zeros(DType.FLOAT32, 2)));
        WithState exported = new WithState(l1, new StateKey(".stats"));

        assertThat(Parameters.of(unexported).keySet()).containsExactly(".l1.bias", ".l1.weight");
        assertThat(Parameters.of(exported).keySet()).containsExactly(".l1.bias", ".l1.weight");
    }

    // ---- strict loading ---------------------------------------------------------------------

    @Test
    void strictLoadReplacesEveryValue() {
        Parameters.Loaded<Two> loaded = Parameters.load(two(), arraysForTwo(), false);

        assertThat(loaded.module().l1().weight().toArray()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(loaded.module().l1().bias().toArray()).containsExactly(-1, -2, -3);
        assertThat(loaded.module().l2().weight().toArray()).containsExactly(7, 8, 9);
        assertThat(loaded.module().l2().bias().toArray()).containsExactly(10);
        assertThat(loaded.skipped()).isEmpty();
    }

    @Test
    void loadConvertsToTheParametersDtype() {
        Map<String, Tensor> arrays = arraysForTwo();
        arrays.put(".l1.bias", Tensor.vector(DType.FLOAT64, 0.1, 0.2, 0.3));

        Tensor bias = Parameters.load(two(), arrays, false).module().l1().bias();

        assertThat(bias.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(bias.toArray()).containsExactly((double) 0.1f, (double) 0.2f, (double) 0.3f);
    }

    @Test
    void strictLoadRefusesMissingArrayNamingThePath() {
        Map<String, Tensor> arrays = arraysForTwo();
        arrays.remove(".l2.bias");

        assertThatThrownBy(() -> Parameters.load(two(), arrays, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(".l2.bias: no array");
    }

    @Test
    void strictLoadRefusesUnknownArrayNamingIt() {
        Map<String, Tensor> arrays = arraysForTwo();
        arrays.put(".l3.weight", Tensor.zeros(DType.FLOAT32, 1, 1));

        assertThatThrownBy(() -> Parameters.load(two(), arrays, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(".l3.weight: no parameter or state entry has this path");
    }

    @Test
    void strictLoadRefusesWrongShapeNamingPathExpectedAndActual() {
        Map<String, Tensor> arrays = arraysForTwo();
        arrays.put(".l1.weight", Tensor.zeros(DType.FLOAT32, 3, 2));

        assertThatThrownBy(() -> Parameters.load(two(), arrays, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(".l1.weight: expected shape [2, 3], got [3, 2]");
    }

    @Test
    void strictLoadReportsAllProblemsInOneMessage() {
        Map<String, Tensor> arrays = arraysForTwo();
        arrays.remove(".l2.bias");
        arrays.put(".l3.weight", Tensor.zeros(DType.FLOAT32, 1, 1));
        arrays.put(".l1.weight", Tensor.zeros(DType.FLOAT32, 3, 2));

        assertThatThrownBy(() -> Parameters.load(two(), arrays, false))
                .hasMessageContaining("3 problems")
                .hasMessageContaining(".l2.bias")
                .hasMessageContaining(".l3.weight")
                .hasMessageContaining(".l1.weight");
    }

    // ---- lenient loading --------------------------------------------------------------------

    @Test
    void lenientLoadKeepsInitialValueForMissingArrayAndReportsIt() {
        Two tree = two();
        Map<String, Tensor> arrays = arraysForTwo();
        arrays.remove(".l2.bias");

        Parameters.Loaded<Two> loaded = Parameters.load(tree, arrays, true);

        assertThat(loaded.module().l2().bias()).isEqualTo(tree.l2().bias());
        assertThat(loaded.module().l2().weight().toArray()).containsExactly(7, 8, 9);
        assertThat(loaded.skipped()).singleElement().asString().startsWith(".l2.bias").contains("kept");
    }

    @Test
    void lenientLoadIgnoresUnknownArrayAndReportsIt() {
        Map<String, Tensor> arrays = arraysForTwo();
        arrays.put(".l3.weight", Tensor.zeros(DType.FLOAT32, 1, 1));

        Parameters.Loaded<Two> loaded = Parameters.load(two(), arrays, true);

        assertThat(Parameters.of(loaded.module())).isEqualTo(arraysForTwo());
        assertThat(loaded.skipped()).singleElement().asString().startsWith(".l3.weight").contains("ignored");
    }

    @Test
    void lenientLoadKeepsInitialValueForWrongShapeAndReportsIt() {
        Two tree = two();
        Map<String, Tensor> arrays = arraysForTwo();
        arrays.put(".l1.weight", Tensor.zeros(DType.FLOAT32, 3, 2));

        Parameters.Loaded<Two> loaded = Parameters.load(tree, arrays, true);

        assertThat(loaded.module().l1().weight()).isEqualTo(tree.l1().weight());
        assertThat(loaded.module().l1().bias().toArray()).containsExactly(-1, -2, -3);
        assertThat(loaded.skipped()).singleElement().asString()
                .startsWith(".l1.weight").contains("[2, 3]").contains("[3, 2]").contains("kept");
    }

    // ---- immutability, files, seeds ---------------------------------------------------------

    @Test
    void loadingLeavesTheOriginalTreeUnchanged() {
        Two tree = two();
        Map<String, Tensor> before = Map.copyOf(Parameters.of(tree));

        Parameters.Loaded<Two> loaded = Parameters.load(tree, arraysForTwo(), false);

        assertThat(loaded.module()).isNotSameAs(tree);
        assertThat(Parameters.of(tree)).isEqualTo(before);
        assertThat(tree.l1().weight().toArray()).containsExactly(
                (double) 0.0f, (double) 0.01f, (double) 0.02f, (double) 0.1f, (double) 0.11f, (double) 0.12f);
    }

    @Test
    void loadKeepsStateReferencesAsTheyAre() {
        StateKey stats = new StateKey(".stats");
        WithState tree = new WithState(Linear.create(2, 2, new Rng(0)), stats);
        Map<String, Tensor> arrays = Map.of(
                ".l1.weight", Tensor.ones(DType.FLOAT32, 2, 2), ".l1.bias", Tensor.ones(DType.FLOAT32, 2));

        WithState loaded = Parameters.load(tree, arrays, false).module();

        assertThat(loaded.stats()).isSameAs(stats);
        assertThat(loaded.l1().weight().toArray()).containsExactly(1, 1, 1, 1);
    }

    @Test
    void loadFromNpzFileReadsParametersByPath() throws IOException {
        Path file = dir.resolve("w.npz");
        Npz.write(file, arraysForTwo());

        Two loaded = Parameters.load(two(), file, false).module();

        assertThat(Parameters.of(loaded)).isEqualTo(arraysForTwo());
    }

    @Test
    void strictLoadFromNpzFileNamesTheFile() throws IOException {
        Path file = dir.resolve("w.npz");
        Map<String, Tensor> arrays = arraysForTwo();
        arrays.remove(".l1.bias");
        Npz.write(file, arrays);

        assertThatThrownBy(() -> Parameters.load(two(), file, false))
                .hasMessageContaining(file.toString())
                .hasMessageContaining(".l1.bias");
    }

    @Test
    void saveThenLoadGivesTheSameParameters() throws IOException {
        Two source = new Two(Linear.create(2, 3, new Rng(5)), Linear.create(3, 1, new Rng(6)));
        Path file = dir.resolve("saved.npz");

        Parameters.save(source, file);
        Two loaded = Parameters.load(two(), file, false).module();

        assertThat(Parameters.of(loaded)).isEqualTo(Parameters.of(source));
    }

    @Test
    void sameSeedGivesIdenticalParameters() {
        Two a = new Two(Linear.create(4, 3, new Rng(42).child("l1")), Linear.create(3, 2, new Rng(42).child("l2")));
        Two b = new Two(Linear.create(4, 3, new Rng(42).child("l1")), Linear.create(3, 2, new Rng(42).child("l2")));

        assertThat(Parameters.of(a)).isEqualTo(Parameters.of(b));
    }

    @Test
    void differentSeedsGiveDifferentParameters() {
        Linear a = Linear.create(4, 3, new Rng(42));
        Linear b = Linear.create(4, 3, new Rng(43));

        assertThat(Parameters.of(a).get(".weight")).isNotEqualTo(Parameters.of(b).get(".weight"));
    }

    // ---- inox's spelling --------------------------------------------------------------------

    private static Cell cell() {
        Rng rng = new Rng(3);
        return new Cell(Linear.create(1, 2, rng.child("a")), List.of(Linear.create(2, 1, rng.child("b"))));
    }

    @Test
    void inoxSnakeCaseAndValueSuffixNameTheCamelCaseParameters() {
        Map<String, Tensor> arrays = Map.of(
                ".lin_h.weight.value", Tensor.of(DType.FLOAT32, new int[] {1, 2}, 1, 2), // inox's partition()
                ".lin_h.bias", Tensor.vector(DType.FLOAT32, 3, 4),                       // flattened by hand
                ".layers[0].weight", Tensor.of(DType.FLOAT32, new int[] {2, 1}, 5, 6),
                ".layers[0].bias.value", Tensor.vector(DType.FLOAT32, 7));

        Cell loaded = Parameters.load(cell(), arrays, false).module();

        assertThat(loaded.linH().weight().toArray()).containsExactly(1, 2);
        assertThat(loaded.linH().bias().toArray()).containsExactly(3, 4);
        assertThat(loaded.layers().get(0).weight().toArray()).containsExactly(5, 6);
        assertThat(loaded.layers().get(0).bias().toArray()).containsExactly(7);
    }

    @Test
    void archiveHoldingTwoSpellingsOfOnePathIsRefusedNamingBoth() {
        Map<String, Tensor> arrays = new HashMap<>(Map.of(
                ".linH.weight", Tensor.of(DType.FLOAT32, new int[] {1, 2}, 1, 2),
                ".lin_h.weight", Tensor.of(DType.FLOAT32, new int[] {1, 2}, 9, 9),
                ".linH.bias", Tensor.vector(DType.FLOAT32, 3, 4),
                ".layers[0].weight", Tensor.of(DType.FLOAT32, new int[] {2, 1}, 5, 6),
                ".layers[0].bias", Tensor.vector(DType.FLOAT32, 7)));

        for (boolean lenient : new boolean[] {false, true}) {
            assertThatThrownBy(() -> Parameters.load(cell(), arrays, lenient))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(".linH.weight and .lin_h.weight are all .linH.weight");
        }
    }

    @Test
    void mapKeysAreNotRespelled() {
        assertThat(ParameterNames.canonical(".in_stats.first")).isEqualTo(".inStats.first");
        assertThat(ParameterNames.canonical(".layers[2].lin_x.weight.value")).isEqualTo(".layers[2].linX.weight");
        assertThat(ParameterNames.canonical("['a_b'].lin_h")).isEqualTo("['a_b'].linH");
        assertThat(ParameterNames.canonical(".value")).isEqualTo(".value");
    }

    @Test
    void anArrayNamedByAStateEntrySetsItsInitialValue() {
        WithState tree = new WithState(Linear.create(2, 2, new Rng(0)),
                new StateEntry(Tensor.zeros(DType.FLOAT32, 2)));
        Map<String, Tensor> arrays = Map.of(
                ".l1.weight", Tensor.ones(DType.FLOAT32, 2, 2), ".l1.bias", Tensor.ones(DType.FLOAT32, 2),
                ".stats", Tensor.vector(DType.FLOAT64, 0.5, -1.25));

        WithState loaded = Parameters.load(tree, arrays, false).module();

        assertThat(((StateEntry) loaded.stats()).initial().dtype()).isEqualTo(DType.FLOAT32);
        assertThat(((StateEntry) loaded.stats()).initial().toArray()).containsExactly(0.5, -1.25);
        assertThat(StateExport.exportState(loaded).state().get(new StateKey(".stats")).toArray())
                .containsExactly(0.5, -1.25);
    }

    @Test
    void stateArraysAreOptionalButMustHaveTheEntrysShape() {
        StateEntry stats = new StateEntry(Tensor.zeros(DType.FLOAT32, 2));
        WithState tree = new WithState(Linear.create(2, 2, new Rng(0)), stats);
        Map<String, Tensor> params = Map.of(
                ".l1.weight", Tensor.ones(DType.FLOAT32, 2, 2), ".l1.bias", Tensor.ones(DType.FLOAT32, 2));

        assertThat(Parameters.load(tree, params, false).module().stats()).isSameAs(stats);

        Map<String, Tensor> wrong = new HashMap<>(params);
        wrong.put(".stats", Tensor.vector(DType.FLOAT32, 1, 2, 3));
        assertThatThrownBy(() -> Parameters.load(tree, wrong, false))
                .hasMessageContaining(".stats: expected shape [2] for the initial state, got [3]");
    }

    @Test
    void aWrongShapeUnderInoxsSpellingNamesBothSpellings() {
        Map<String, Tensor> arrays = Map.of(
                ".lin_h.weight.value", Tensor.of(DType.FLOAT32, new int[] {2, 1}, 1, 2),
                ".lin_h.bias", Tensor.vector(DType.FLOAT32, 3, 4),
                ".layers[0].weight", Tensor.of(DType.FLOAT32, new int[] {2, 1}, 5, 6),
                ".layers[0].bias", Tensor.vector(DType.FLOAT32, 7));

        assertThatThrownBy(() -> Parameters.load(cell(), arrays, false))
                .hasMessageContaining(".linH.weight (array .lin_h.weight.value): expected shape [1, 2], got [2, 1]");
    }
}

package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The contract of {@link State}: sorted, immutable, strict about keys, shapes and dtypes. */
class StateTest {

    static final StateKey A = new StateKey(".a");
    static final StateKey B = new StateKey(".b");
    static final StateKey C = new StateKey(".c");

    static State abc() {
        return State.of(Map.of(
                C, Tensor.vector(DType.FLOAT64, 5),
                A, Tensor.vector(DType.FLOAT32, 1, 2, 3),
                B, Tensor.of(DType.FLOAT64, new int[] {2, 2}, 1, 0, 0, 1)));
    }

    @Test
    void iteratesInSortedKeyOrder() {
        List<StateKey> seen = new ArrayList<>();
        abc().forEach(e -> seen.add(e.getKey()));

        assertThat(seen).containsExactly(A, B, C);
        assertThat(abc().keys()).containsExactly(A, B, C);
    }

    @Test
    void getOfAMissingKeyNamesItAndTheExistingKeys() {
        assertThatThrownBy(() -> abc().copyAsINDArray(new StateKey(".missing")))
                .isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining(".missing")
                .hasMessageContaining(".a")
                .hasMessageContaining(".b")
                .hasMessageContaining(".c");
    }

    @Test
    void getReturnsTheValueWithShapeAndDtype() {
        INDArray a = abc().copyAsINDArray(A);

        assertThat(a.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(a.shape()).containsExactly(3);
        assertThat(a.toDoubleVector()).containsExactly(1, 2, 3);
    }

    @Test
    void getReturnsACopy() {
        State state = abc();
        INDArray a = state.copyAsINDArray(A);

        a.putScalar(0, 99.0);

        assertThat(state.copyAsINDArray(A).toDoubleVector()).containsExactly(1, 2, 3);
        assertThat(state.get(A).toArray()).containsExactly(1, 2, 3);
    }

    @Test
    void withReturnsANewStateWithTheNewValue() {
        State next = abc().with(Map.of(A, Tensor.vector(DType.FLOAT32, 4, 5, 6)));

        assertThat(next.copyAsINDArray(A).toDoubleVector()).containsExactly(4, 5, 6);
        assertThat(next.get(B)).isEqualTo(abc().get(B));
    }

    @Test
    void withLeavesTheOldStateUnchanged() {
        State old = abc();
        INDArray before = old.copyAsINDArray(A);

        old.with(Map.of(A, Tensor.vector(DType.FLOAT32, 4, 5, 6)));
        old.with(A, Tensor.vector(DType.FLOAT32, 4, 5, 6));

        assertThat(old.copyAsINDArray(A)).isEqualTo(before);
        assertThat(old.get(A).toArray()).containsExactly(1, 2, 3);
        assertThat(old).isEqualTo(abc());
    }

    @Test
    void withRefusesAnUnknownKeyNamingIt() {
        StateKey typo = new StateKey(".aa");

        assertThatThrownBy(() -> abc().with(Map.of(typo, Tensor.vector(DType.FLOAT32, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(".aa");
        assertThatThrownBy(() -> abc().with(typo, Tensor.vector(DType.FLOAT32, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(".aa");
    }

    @Test
    void withRefusesAChangedShapeNamingTheKey() {
        Tensor wrong = Tensor.vector(DType.FLOAT32, 1, 2, 3, 4);

        assertThatThrownBy(() -> abc().with(Map.of(A, wrong)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(".a")
                .hasMessageContaining("[3]")
                .hasMessageContaining("[4]");
    }

    @Test
    void withRefusesAChangedDtypeNamingTheKey() {
        Tensor asDouble = Tensor.vector(DType.FLOAT64, 1, 2, 3);

        assertThatThrownBy(() -> abc().with(Map.of(A, asDouble)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(".a")
                .hasMessageContaining("float32")
                .hasMessageContaining("float64");
    }

    @Test
    void withSeveralEntriesEqualsOneWithPerEntryAndLeavesTheOldStateUnchanged() {
        State s = abc();
        Tensor a = Tensor.vector(DType.FLOAT32, 7, 8, 9);
        Tensor c = Tensor.vector(DType.FLOAT64, -1);
        Tensor b = Tensor.of(DType.FLOAT64, new int[] {2, 2}, 0, 1, 1, 0);

        assertThat(s.with(Map.of(A, a, C, c))).isEqualTo(s.with(A, a).with(C, c));
        assertThat(s.with(Map.of(C, c, B, b, A, a))).isEqualTo(s.with(A, a).with(B, b).with(C, c));
        assertThat(s).isEqualTo(abc());
    }

    @Test
    void withSeveralEntriesRefusesAChangedShapeNamingTheKey() {
        assertThatThrownBy(() -> abc().with(Map.of(C, Tensor.vector(DType.FLOAT64, 1), A, Tensor.vector(DType.FLOAT32, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(".a");
    }

    @Test
    void aModuleReadsAndWritesThroughItsOwnStateRefs() {
        // a module holds StateRefs (the StateKeys export put in place of its StateEntries)
        StateRef ref = A;
        State next = abc().with(ref, Tensor.vector(DType.FLOAT32, 0.5, 0.25, 0.125));

        assertThat(next.get(ref).toArray()).containsExactly(0.5, 0.25, 0.125);
        assertThat(next.get(ref)).isSameAs(next.get(A));
    }

    @Test
    void readingWithAStateEntryThatWasNeverExportedSaysSo() {
        StateEntry raw = new StateEntry(Tensor.vector(DType.FLOAT32, 1, 2, 3));

        assertThatThrownBy(() -> abc().get(raw))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("never exported");
        assertThatThrownBy(() -> abc().with(raw, Tensor.vector(DType.FLOAT32, 1, 2, 3)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("never exported");
    }

    @Test
    void stackThenUnstackGivesTheStatesBack() {
        State one = abc();
        State two = one.with(A, Tensor.vector(DType.FLOAT32, 7, 8, 9)).with(C, Tensor.vector(DType.FLOAT64, -5));

        State stacked = State.stack(List.of(one, two));

        assertThat(stacked.get(A).shape()).containsExactly(2, 3);
        assertThat(stacked.get(A).toArray()).containsExactly(1, 2, 3, 7, 8, 9);
        assertThat(stacked.get(B).shape()).containsExactly(2, 2, 2);
        assertThat(stacked.unstack()).containsExactly(one, two);
    }
}

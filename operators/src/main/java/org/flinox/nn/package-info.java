/**
 * Neural-network modules whose state lives outside them, ported from inox's
 * {@code inox.nn.state}.
 *
 * <p><b>Why the state is externalized.</b> A module that kept its running statistics or its
 * hidden state in its own fields would be one object per stream key, mutated in place: it
 * could be neither shared nor checkpointed. Here a module is a pure function
 * {@code (x, state) -> (y, state')}. Its parameters are fixed at construction and shared by
 * every stream key; what changes per stream key is a {@link org.flinox.nn.State}, a value
 * the caller passes in and gets back. That state can then live anywhere: in Flink keyed
 * state, one {@code State} per user, sensor or symbol, checkpointed, restored and rescaled
 * like any other Flink state. A module declares its state as {@link org.flinox.nn.StateEntry}
 * fields (its initial values); {@link org.flinox.nn.StateExport#exportState} pulls them out,
 * leaving {@link org.flinox.nn.StateKey}s named by path in the tree and the initial values in
 * a {@code State}. {@code Moments} (running first and second moments) and {@code MLP} (an
 * MLP between two {@code Moments}) are built that way.
 *
 * <p>inox's example, an MLP between two running-moments modules:
 *
 * <pre>{@code
 * var exported = StateExport.exportState(MLP.create(16, 3, new Rng(0)));
 * MLP model = exported.module();   // .inStats.first, .inStats.second, .outStats.first, .outStats.second
 * State state = exported.state();  // their initial values
 * Result<double[]> r = model.forward(x, state);  // r.output(): 3 numbers; r.state(): the moments updated
 * }</pre>
 *
 * <p>A complete example built by hand, with a map as the tree (records are walked the same
 * way, by component name):
 *
 * <pre>{@code
 * Rng rng = new Rng(0);
 * Map<String, Object> tree = Map.of(
 *         "a", Linear.create(3, 2, rng.child("a")),             // parameters
 *         "b", new StateEntry(Tensor.zeros(DType.FLOAT32, 2))); // state, starts at 0
 *
 * var exported = StateExport.exportState(tree);
 * State state = exported.state();                       // one entry: ['b'], float32[2]
 * Linear a = (Linear) exported.module().get("a");
 * StateKey b = ((StateRef) exported.module().get("b")).key();
 *
 * // one step of (x, state) -> (y, state'): y = a(x), b <- b + y
 * double[] y = a.forward(new double[] {1, 2, 3}, state).output();
 * double[] sum = state.get(b).toArray();
 * for (int i = 0; i < sum.length; i++) {
 *     sum[i] += y[i];
 * }
 * State next = state.with(b, Tensor.vector(DType.FLOAT32, sum));
 * // state still holds zeros; next is what Flink stores for this stream key
 *
 * SortedMap<String, Tensor> params = Parameters.of(exported.module()); // ['a'].bias, ['a'].weight
 * }</pre>
 *
 * <h2>Writing a module</h2>
 *
 * <p>A module of your own, in your own package, needs only this package's public API. It is
 * a record implementing {@link org.flinox.nn.Module} (records are what
 * {@link org.flinox.nn.StateExport} and {@link org.flinox.nn.Parameters} walk): its
 * parameters are {@link org.flinox.nn.Tensor} components, its state entries
 * {@link org.flinox.nn.StateRef} components, built as {@link org.flinox.nn.StateEntry}s that
 * hold their initial values. The per-record path reads an entry with
 * {@link org.flinox.nn.State#get State.get} and returns the new one with
 * {@link org.flinox.nn.Tensor#like Tensor.like} and {@link org.flinox.nn.State#with
 * State.with}; the batched path
 * goes through {@link org.flinox.nn.Batched}, which takes {@code [features]} or
 * {@code [B, features]} with the state stacked one row per stream key. Both paths compute the
 * same function. Exponential smoothing, complete:
 *
 * <pre>{@code
 * import java.util.Map;
 * import org.flinox.nn.Batched;
 * import org.flinox.nn.DType;
 * import org.flinox.nn.Module;
 * import org.flinox.nn.Result;
 * import org.flinox.nn.State;
 * import org.flinox.nn.StateEntry;
 * import org.flinox.nn.StateRef;
 * import org.flinox.nn.Tensor;
 * import org.nd4j.linalg.api.ndarray.INDArray;
 *
 * // Exponential smoothing of each feature, one row of state per stream key:
 * //
 * //     level ← a·x + (1 − a)·level,   y = level
 * //
 * // level: the smoothed input, [features], starting at 0; alpha: a, the weight on the record.
 * public record Smooth(StateRef level, double alpha) implements Module {
 *
 *     // The state is declared as a StateEntry holding its initial value.
 *     public static Smooth create(int features, double alpha) {
 *         return new Smooth(new StateEntry(Tensor.zeros(DType.FLOAT64, features)), alpha);
 *     }
 *
 *     // One record in plain Java: what the Flink operator calls.
 *     public Result<double[]> forward(double[] x, State state) {
 *         Tensor old = state.get(level.key());
 *         if (x.length != old.size()) {
 *             throw new IllegalArgumentException("Smooth expects " + old.size() + " features, got " + x.length);
 *         }
 *         double[] y = new double[x.length];
 *         for (int i = 0; i < x.length; i++) {
 *             y[i] = alpha * x[i] + (1 - alpha) * old.get(i);
 *         }
 *         // like(...) adopts the array: hand the state its own copy, the caller may change y
 *         return new Result<>(y, state.with(level.key(), old.like(y.clone())));
 *     }
 *
 *     // [features], or a batch [B, features] with the state stacked one row per stream key.
 *     public Result<INDArray> forward(INDArray x, State state) {
 *         Batched b = Batched.of(x, state.get(level.key()), "Smooth");
 *         INDArray y = b.matrix().mul(alpha).add(b.stateRows(state, level.key()).mul(1 - alpha));
 *         return new Result<>(b.restore(y), b.update(state, Map.of(level.key(), y)));
 *     }
 * }
 * }</pre>
 *
 * <p>It is then used as any built-in module is:
 *
 * <pre>{@code
 * var exported = StateExport.exportState(Smooth.create(2, 0.25));
 * Smooth smooth = exported.module();   // level is now the StateKey .level
 * Result<double[]> r = smooth.forward(new double[] {4, -8}, exported.state());
 * // r.output() is [1, -2], and so is r.state().get(new StateKey(".level"))
 * }</pre>
 *
 * <p>{@link org.flinox.nn.Moments} is the same shape with two entries, and its
 * {@code update} methods are the state update alone, for a container such as
 * {@link org.flinox.nn.MLP} that does not need the output. A module whose state has rules
 * beyond its shape (a count is a whole number) also implements
 * {@link org.flinox.nn.StateInvariants}, so that state loaded from outside is checked.
 *
 * <p>Parameters come from a seeded {@link org.flinox.nn.Rng} or from a numpy {@code .npz}
 * file whose array names are the parameter paths ({@link org.flinox.nn.Parameters#load},
 * {@link org.flinox.nn.Npz}).
 *
 * <p>This package must never import Flink ({@code org.apache.flink}): the modules and the
 * state API are plain Java over ND4J, usable and testable without a cluster. The Flink side
 * lives in {@code org.flinox.operators}; a test enforces the boundary.
 */
package org.flinox.nn;

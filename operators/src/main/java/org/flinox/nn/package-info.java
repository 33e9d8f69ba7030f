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
 * <p>Parameters come from a seeded {@link org.flinox.nn.Rng} or from a numpy {@code .npz}
 * file whose array names are the parameter paths ({@link org.flinox.nn.Parameters#load},
 * {@link org.flinox.nn.Npz}).
 *
 * <p>This package must never import Flink ({@code org.apache.flink}): the modules and the
 * state API are plain Java over ND4J, usable and testable without a cluster. The Flink side
 * lives in {@code org.flinox.operators}; a test enforces the boundary.
 */
package org.flinox.nn;

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
 * a {@code State}.
 *
 * <h2>inox's example, written as a user writes it</h2>
 *
 * <p>inox's state documentation writes a {@code Moments} module (running moments of its
 * input) and an {@code MLP} between two of them. Here they are as a user of this package
 * writes them, in a package of their own with public API alone (this very code is
 * {@code org.example.modules} of the example jar {@code deploy/examples/custom-module}, which
 * the tests compile and run):
 *
 * <pre>{@code
 * import java.util.Map;
 * import org.flinox.nn.DType;
 * import org.flinox.nn.Module;
 * import org.flinox.nn.Result;
 * import org.flinox.nn.State;
 * import org.flinox.nn.StateEntry;
 * import org.flinox.nn.StateRef;
 * import org.flinox.nn.Tensor;
 *
 * // inox's Moments: running moments of the input, one pair per stream key. It only observes.
 * //
 * //     first ← m·first + (1 − m)·x,   second ← m·second + (1 − m)·x²,   y = x
 * public record Moments(StateRef first, StateRef second, double momentum) implements Module {
 *
 *     public static Moments create(int features, double momentum) {
 *         return new Moments(new StateEntry(Tensor.zeros(DType.FLOAT32, features)),
 *                 new StateEntry(Tensor.ones(DType.FLOAT32, features)), momentum);
 *     }
 *
 *     public Result<double[]> forward(double[] x, State state) {
 *         Tensor f = state.get(first);
 *         Tensor s = state.get(second);
 *         double[] nf = new double[x.length];
 *         double[] ns = new double[x.length];
 *         for (int i = 0; i < x.length; i++) {
 *             nf[i] = momentum * f.get(i) + (1 - momentum) * x[i];
 *             ns[i] = momentum * s.get(i) + (1 - momentum) * x[i] * x[i];
 *         }
 *         return new Result<>(x, state.with(Map.of(first, f.like(nf), second, s.like(ns))));
 *     }
 * }
 * }</pre>
 *
 * <pre>{@code
 * import org.flinox.nn.Activation.ReLU;
 * import org.flinox.nn.Linear;
 * import org.flinox.nn.Module;
 * import org.flinox.nn.Result;
 * import org.flinox.nn.Rng;
 * import org.flinox.nn.State;
 *
 * // inox's example MLP: three linear layers with ReLU between them, and the running moments
 * // of what goes in and of what comes out.
 * public record MLP(Moments inStats, Linear l1, Linear l2, Linear l3, Moments outStats, ReLU relu)
 *         implements Module {
 *
 *     public static MLP create(int in, int out, int hidden, Rng rng) {
 *         return new MLP(Moments.create(in, 0.9),
 *                 Linear.create(in, hidden, rng.child("l1")),
 *                 Linear.create(hidden, hidden, rng.child("l2")),
 *                 Linear.create(hidden, out, rng.child("l3")),
 *                 Moments.create(out, 0.9), new ReLU());
 *     }
 *
 *     public Result<double[]> forward(double[] x, State state) {
 *         state = inStats.forward(x, state).state();
 *         x = l1.apply(x);
 *         x = l2.apply(relu.apply(x));
 *         x = l3.apply(relu.apply(x));
 *         state = outStats.forward(x, state).state();
 *         return new Result<>(x, state);
 *     }
 * }
 * }</pre>
 *
 * <p>They run one record at a time, or a batch of stream keys at once:
 *
 * <pre>{@code
 * var exported = StateExport.exportState(MLP.create(16, 3, 64, new Rng(0)));
 * MLP model = exported.module();   // .inStats.first, .inStats.second, .outStats.first, .outStats.second
 * State state = exported.state();  // their initial values: zeros and ones, float32
 *
 * Result<double[]> r = model.forward(x, state);  // one record: r.output() holds 3 numbers
 * state = r.state();                             // a new State, the moments moved; the old one is unchanged
 *
 * Result<INDArray> batch = model.forward(xs, State.stack(states));  // xs [B, 16], a state per row: [B, 3]
 * }</pre>
 *
 * <p>The built-in {@link org.flinox.nn.Moments} and {@link org.flinox.nn.MLP} (the model
 * spec's {@code moments} and {@code mlp}) are these two modules, with argument checks and an
 * ND4J batched path.
 *
 * <h2>Writing a module</h2>
 *
 * <ul>
 *   <li>A module is a record implementing {@link org.flinox.nn.Module} (records are what
 *       {@link org.flinox.nn.StateExport} and {@link org.flinox.nn.Parameters} walk): its
 *       parameters are {@link org.flinox.nn.Tensor} components or modules holding them, its
 *       state entries {@link org.flinox.nn.StateRef} components, built as
 *       {@link org.flinox.nn.StateEntry}s holding their initial values. Export replaces each
 *       entry by its {@link org.flinox.nn.StateKey}, named by its path ({@code .inStats.first}).
 *   <li>It is written once, per record: {@code forward(double[], State)} in plain Java.
 *       {@code forward(INDArray, State)} (a batch {@code [B, in]} with the state stacked one
 *       row per stream key, what the Flink operator's batched key bundles call) is a default
 *       that runs it row by row. Override it only where a benchmark measures ND4J cheaper, as
 *       the built-in MLP's layers and the recurrent cells do (with
 *       {@link org.flinox.nn.Batched} and {@link org.flinox.nn.Tensor#asINDArray}).
 *   <li>State is read with {@code state.get(first)} and written one way,
 *       {@code state.with(first, value)} or {@code state.with(Map.of(first, ..., second, ...))}
 *       (inox's {@code update_state}): a new {@code State}, refusing a key the state does not
 *       hold and a value of another shape or dtype.
 *   <li>A new value is {@code tensor.like(values)}: the entry's shape and dtype, the values
 *       rounded to that dtype (a float32 entry holds float32 values whatever the module
 *       computed in, so a key's state in memory is what Flink stores of it). {@code like}
 *       keeps the array without a copy: do not write to it afterwards.
 *   <li>A module whose state has rules beyond its shape (a count is a whole number) also
 *       implements {@link org.flinox.nn.StateInvariants}, so that state loaded from outside
 *       is checked.
 * </ul>
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

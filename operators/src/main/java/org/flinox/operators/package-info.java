/**
 * The Flink side of Flinox: a module tree from {@code org.flinox.nn} as one keyed operator.
 *
 * <p>The entry point is {@link org.flinox.operators.Flinox#apply}: a model
 * ({@link org.flinox.operators.ModelFactory}) over your keyed {@code DataStream<T>}, features
 * from a {@link org.flinox.operators.FeatureFunction}, outputs that carry their element
 * ({@link org.flinox.operators.ModelOutput}) and dead letters on a side output
 * ({@link org.flinox.operators.Rejected}). The command-line job builds its operator the same way.
 *
 * <p>Inside: {@link org.flinox.operators.KeyedModel#step} is the one rule that accepts or refuses
 * a record for a key's state, used by the operator and by the SQL function alike.
 * {@link org.flinox.operators.ModelOperator} keeps the life cycle (registration, restore and
 * evolution, barriers, the end of the input, final state) and hands records to a front: the
 * keyed function ({@code ModelRunner}) per record, or key bundles ({@code BundleFront},
 * {@code KeyBundle}, {@code BundleTrigger}: the shape of Flink SQL's mini-batch operators). Each
 * key's whole {@link org.flinox.nn.State} is one value of one keyed {@code ValueState}
 * ({@link org.flinox.operators.ModelState}), read and written through a {@code StateStore}:
 * directly, or through the write-back {@code StateCache}. Its serializer,
 * {@link org.flinox.operators.StateSerializer}, writes only the entries' values; the entries'
 * names, dtypes and shapes ({@link org.flinox.operators.StateLayout}) are in its snapshot, so a
 * changed model is resolved by Flink's schema compatibility (never Kryo). The operator's uid comes
 * from the model's name ({@link org.flinox.operators.OperatorIds}), so savepoints map back to it.
 *
 * <p>Nothing here parses input, writes files or knows the job's flags: that is the job's
 * ({@code org.flinox.job}), which maps these messages to its flags.
 */
package org.flinox.operators;

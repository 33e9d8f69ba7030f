/**
 * The Flink side of Flinox: a module tree from {@code org.flinox.nn} as one keyed operator.
 *
 * <p>{@link org.flinox.operators.ModelOperator} (with {@link org.flinox.operators.ModuleFunction})
 * keeps each stream key's whole {@link org.flinox.nn.State} as one value of one keyed
 * {@code ValueState} ({@link org.flinox.operators.ModelState}): one read and at most one write
 * per record. Its serializer, {@link org.flinox.operators.StateSerializer}, writes only the
 * entries' values; the entries' names, dtypes and shapes ({@link org.flinox.operators.StateLayout})
 * are in its snapshot, so a changed model is resolved by Flink's schema compatibility (never
 * Kryo). Per record: read the state, forward ({@link org.flinox.operators.KeyedModel}), write it
 * back if it changed, emit the output; a record the module cannot use goes to the
 * {@link org.flinox.operators.DeadLetters#TAG} side output with its reason, and the key's state
 * is left as it was. With {@link org.flinox.operators.KeyBundles} the operator buffers records
 * and reads and writes each key's state once per bundle. The operator's uid comes from the
 * model's name ({@link org.flinox.operators.OperatorIds}), so savepoints map back to it.
 *
 * <p>Nothing here parses input or writes files: that is the job's ({@code org.flinox.job}).
 */
package org.flinox.operators;

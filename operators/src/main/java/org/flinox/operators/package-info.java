/**
 * The Flink side of Flinox: a module tree from {@code org.flinox.nn} as one keyed operator.
 *
 * <p>{@link org.flinox.operators.ModelOperator} (with {@link org.flinox.operators.ModuleFunction})
 * keeps each stream key's {@link org.flinox.nn.State} in Flink keyed state: one
 * {@code ValueState} per {@link org.flinox.nn.StateKey}, whose descriptor name is the key's
 * name and whose serializer, {@link org.flinox.operators.TensorSerializer}, writes dtype, shape
 * and values with a versioned snapshot (never Kryo). Per record: read the entries, forward,
 * write back the entries that changed, emit the output; a record the module cannot use goes to
 * the {@link org.flinox.operators.DeadLetters#TAG} side output with its reason, and the key's
 * state is left as it was. The operator's uid comes from the model's name
 * ({@link org.flinox.operators.OperatorIds}), so savepoints map back to it.
 *
 * <p>Nothing here parses input or writes files: that is the job's ({@code org.flinox.job}).
 */
package org.flinox.operators;

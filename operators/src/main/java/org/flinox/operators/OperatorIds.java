package org.flinox.operators;

/**
 * Stable operator uids. A savepoint maps its state back to operators by uid, so these are
 * derived from names the user controls (the model's name), never from the job's shape.
 */
public final class OperatorIds {

    private OperatorIds() {}

    /** The uid of the keyed operator running the model {@code modelName}. */
    public static String model(String modelName) {
        return "flinox-model-" + modelName;
    }
}

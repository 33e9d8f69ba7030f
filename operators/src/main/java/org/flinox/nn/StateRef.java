package org.flinox.nn;

/**
 * A module's handle on one of its state arrays: a {@link StateEntry} while the module is
 * being built, a {@link StateKey} once {@link StateExport#exportState} has pulled the
 * arrays out into a {@link State}.
 */
public sealed interface StateRef permits StateEntry, StateKey {

    /**
     * The key to look this entry up in a {@link State}.
     *
     * @throws IllegalStateException when the module's state was never exported
     */
    StateKey key();
}

package org.flinox.operators;

import java.io.Serializable;
import java.time.Duration;
import java.util.Set;

/**
 * How a model runs in a Flink job: the knobs of {@link Flinox#apply}, with the job's defaults
 * ({@link #defaults()}: no state TTL, a 64 MiB state cache, no key bundles, no final state).
 *
 * @param stateTtl drop a key's state after this long without an update; null keeps it
 * @param resetState state entries ({@code .inStats.first}) to start over for every key when the
 *     job starts from a savepoint or checkpoint of another job, also when their shape or dtype
 *     changed
 * @param bundles key bundles, or {@link KeyBundles#OFF}
 * @param stateCacheBytes the memory bound of the per-subtask {@link StateCache}; 0 turns it off.
 *     It must be off under a state TTL: a cached read would not see an expiry, and the delayed
 *     write would move the TTL's clock
 * @param emitFinalState whether every key's state goes to {@link ModelStream#finalState()} when
 *     a bounded input ends
 * @param resetAdvice how a reset of entries is asked for where these settings come from, named in
 *     the message of a restore whose state does not fit the model (the job: {@code --reset-state NAME})
 * @param emitStateChanges whether each key whose state changed since the previous checkpoint goes
 *     to {@link ModelStream#stateChanges()} before the checkpoint's barrier (a live changelog)
 */
public record ModelSettings(Duration stateTtl, Set<String> resetState, KeyBundles bundles, long stateCacheBytes,
        boolean emitFinalState, String resetAdvice, boolean emitStateChanges) implements Serializable {

    /** The state cache of {@link #defaults()}: 64 MiB, some 100,000 keys of a 16-feature standardize. */
    public static final long DEFAULT_STATE_CACHE_BYTES = 64L << 20;

    /** Settings without state changes. */
    public ModelSettings(Duration stateTtl, Set<String> resetState, KeyBundles bundles, long stateCacheBytes,
            boolean emitFinalState, String resetAdvice) {
        this(stateTtl, resetState, bundles, stateCacheBytes, emitFinalState, resetAdvice, false);
    }

    public ModelSettings {
        resetState = Set.copyOf(resetState);
        if (bundles == null) {
            throw new IllegalArgumentException("bundles must be given: KeyBundles.OFF for none");
        }
        if (stateTtl != null && (stateTtl.isNegative() || stateTtl.isZero())) {
            throw new IllegalArgumentException("the state TTL must be positive, got " + stateTtl);
        }
        if (stateCacheBytes < 0 || (stateCacheBytes > 0 && stateTtl != null)) {
            throw new IllegalArgumentException("the state cache must be 0 (off) or positive, and off under a state "
                    + "TTL; got " + stateCacheBytes + " bytes with a TTL of " + stateTtl);
        }
    }

    /** No state TTL, a state cache of {@link #DEFAULT_STATE_CACHE_BYTES}, no key bundles, no final state. */
    public static ModelSettings defaults() {
        return new ModelSettings(null, Set.of(), KeyBundles.OFF, DEFAULT_STATE_CACHE_BYTES, false,
                "ModelSettings.withResetState(the entries of NAME)");
    }

    /** A state TTL, which turns the state cache off (see {@link #stateCacheBytes}). */
    public ModelSettings withStateTtl(Duration ttl) {
        return new ModelSettings(ttl, resetState, bundles, ttl == null ? stateCacheBytes : 0, emitFinalState,
                resetAdvice, emitStateChanges);
    }

    public ModelSettings withResetState(Set<String> entries) {
        return new ModelSettings(stateTtl, entries, bundles, stateCacheBytes, emitFinalState, resetAdvice, emitStateChanges);
    }

    public ModelSettings withBundles(KeyBundles bundles) {
        return new ModelSettings(stateTtl, resetState, bundles, stateCacheBytes, emitFinalState, resetAdvice, emitStateChanges);
    }

    /** A state cache of {@code bytes} per subtask; 0 turns it off. */
    public ModelSettings withStateCache(long bytes) {
        return new ModelSettings(stateTtl, resetState, bundles, bytes, emitFinalState, resetAdvice, emitStateChanges);
    }

    public ModelSettings withFinalState(boolean emit) {
        return new ModelSettings(stateTtl, resetState, bundles, stateCacheBytes, emit, resetAdvice, emitStateChanges);
    }

    public ModelSettings withResetAdvice(String advice) {
        return new ModelSettings(stateTtl, resetState, bundles, stateCacheBytes, emitFinalState, advice, emitStateChanges);
    }

    /** Each changed key's state to {@link ModelStream#stateChanges()} at every checkpoint. */
    public ModelSettings withStateChanges(boolean emit) {
        return new ModelSettings(stateTtl, resetState, bundles, stateCacheBytes, emitFinalState, resetAdvice, emit);
    }
}

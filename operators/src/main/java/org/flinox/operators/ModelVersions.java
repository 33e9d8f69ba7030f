package org.flinox.operators;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.OutputTag;

/**
 * The versions of a model's weights in one parallel instance of the model operator, and the
 * rule for an update ({@link #offer}): an update is refused, and the running version stays,
 * when its bytes could not be read or are over {@link ModelUpdate#MAX_BYTES}, when its version is
 * blank or one already applied (versions apply in the order they arrive, so an equal one is a
 * replay or a mistake), or when its parameters do not load as {@code --weights} would
 * ({@code Parameters.load}, strict: every parameter's path with its shape, no unknown array,
 * finite values that stay finite in the parameter's dtype). Otherwise its parameters replace
 * the running ones; the state layout does not change, so every key's state is kept.
 *
 * <p>The version in force is broadcast state ({@link #STATE}): the same in every parallel
 * instance, since each sees the same updates in the same order, and given to every instance on
 * a restore or a rescale. It holds the applied update's bytes themselves, not its path, so a
 * failover or a savepoint restore runs exactly those weights even when the file is gone; hence
 * the size bound, as every instance keeps its copy in memory and in each checkpoint.
 */
final class ModelVersions {
    /** The broadcast state: the running version, its bytes, the versions applied, the refusals. */
    static final MapStateDescriptor<String, byte[]> STATE = new MapStateDescriptor<>("flinox-model-version",
            StringSerializer.INSTANCE, BytePrimitiveArraySerializer.INSTANCE);
    /** The side output of refused updates: the control stream's dead letters. */
    static final OutputTag<Rejected<ModelUpdate>> REFUSED =
            new OutputTag<>("flinox-refused-updates", Rejected.typeInfo(ModelUpdate.TYPE));

    private static final String VERSION = "version";
    private static final String NPZ = "npz";
    private static final String APPLIED = "applied";
    private static final String REFUSED_COUNT = "refused";

    private final BroadcastState<String, byte[]> state;
    private final List<String> applied;
    private String version;
    private long refused;

    private ModelVersions(BroadcastState<String, byte[]> state, String version, List<String> applied, long refused) {
        this.state = state;
        this.version = version;
        this.applied = applied;
        this.refused = refused;
    }

    /** The versions kept in {@code state}, or the initial one when it holds none. */
    static ModelVersions of(BroadcastState<String, byte[]> state, String initialVersion) throws Exception {
        byte[] version = state.get(VERSION);
        if (version == null) {
            ModelVersions v = new ModelVersions(state, initialVersion, new ArrayList<>(List.of(initialVersion)), 0);
            v.save(null);
            return v;
        }
        List<String> applied = new ArrayList<>();
        DataInputDeserializer in = new DataInputDeserializer(state.get(APPLIED));
        for (int n = in.readInt(), i = 0; i < n; i++) {
            applied.add(in.readUTF());
        }
        long refused = new DataInputDeserializer(state.get(REFUSED_COUNT)).readLong();
        return new ModelVersions(state, new String(version, java.nio.charset.StandardCharsets.UTF_8), applied, refused);
    }

    /** The version running. */
    String version() {
        return version;
    }

    /** Updates applied since the job first started (the initial version is not one). */
    long appliedCount() {
        return applied.size() - 1;
    }

    /** Updates refused since the job first started. */
    long refusedCount() {
        return refused;
    }

    /** The model to run: {@code initial} with the parameters of the update in force, if any. */
    KeyedModel running(KeyedModel initial) throws Exception {
        byte[] npz = state.get(NPZ);
        if (npz == null) {
            return initial;
        }
        try {
            return load(initial, npz, "version " + version);
        } catch (IllegalArgumentException | IOException e) {
            throw new IllegalStateException("model " + initial.name() + ": the weights of version " + version
                    + ", in force at the checkpoint, do not fit the model now: " + e.getMessage()
                    + "\nstart without --restore, or with the model the checkpoint was taken with", e);
        }
    }

    /** What an update does. */
    sealed interface Outcome {}

    /** The update's parameters: the model to run from the next record on. */
    record Applied(KeyedModel model) implements Outcome {}

    /** The update is a dead letter; the running version stays. */
    record Refused(String detail) implements Outcome {}

    /** The rule above for {@code update} against the {@code running} model; an applied one becomes the version in force. */
    Outcome offer(ModelUpdate update, KeyedModel running) throws Exception {
        String why = refusal(update, running);
        if (why == null) {
            try {
                KeyedModel next = load(running, update.npz(), update.source());
                applied.add(update.version());
                version = update.version();
                save(update.npz());
                return new Applied(next);
            } catch (RuntimeException | IOException e) { // a broken file is a dead letter, never a failure
                why = String.valueOf(e.getMessage());
            }
        }
        refused++;
        save(state.get(NPZ));
        return new Refused("model " + running.name() + ": update " + update.version() + " (" + update.source()
                + ") refused, version " + version + " keeps running: " + why);
    }

    /** Why the update is refused before its parameters are read, or null. */
    private String refusal(ModelUpdate update, KeyedModel running) {
        if (update.npz() == null) {
            return update.unreadable() != null ? update.unreadable() : "it has no weights";
        }
        if (update.version() == null || update.version().isBlank()) {
            return "it has no version";
        }
        if (update.npz().length > ModelUpdate.MAX_BYTES) {
            return "it has " + update.npz().length + " bytes, more than the " + ModelUpdate.MAX_BYTES + " an update may have";
        }
        if (applied.contains(update.version())) {
            return "version " + update.version() + " was applied already (versions apply in the order they arrive, "
                    + "each once: give new weights a new version)";
        }
        return null;
    }

    /** {@code model} with the parameters of an {@code .npz} file's bytes, loaded as {@code --weights} are. */
    private static KeyedModel load(KeyedModel model, byte[] npz, String name) throws IOException {
        Path file = Files.createTempFile("flinox-update", ".npz");
        try {
            Files.write(file, npz);
            return model.withParameters(file, name);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private void save(byte[] npz) throws Exception {
        state.put(VERSION, version.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (npz == null) {
            state.remove(NPZ);
        } else {
            state.put(NPZ, npz);
        }
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeInt(applied.size());
        for (String v : applied) {
            out.writeUTF(v);
        }
        state.put(APPLIED, out.getCopyOfBuffer());
        DataOutputSerializer count = new DataOutputSerializer(8);
        count.writeLong(refused);
        state.put(REFUSED_COUNT, count.getCopyOfBuffer());
    }
}

package org.flinox.job.state;

import java.util.Locale;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import picocli.CommandLine.Option;

/**
 * {@code --state-backend rocksdb|hashmap} as {@code inspect} and {@code bootstrap} take it, and
 * the one check of its value, which {@code run}'s flag of the same name uses too.
 */
public final class StateBackendOption {

    @Option(names = "--state-backend", paramLabel = "rocksdb|hashmap", defaultValue = "rocksdb",
            description = "The backend that reads (inspect) or writes (bootstrap) the savepoint; a savepoint's "
                    + "canonical format restores on either, an incremental RocksDB checkpoint needs rocksdb "
                    + "(default: ${DEFAULT-VALUE}).")
    String value;

    /** This flag's backend, named as Flink's {@code state.backend.type} takes it. */
    public String name() {
        return name(value);
    }

    /**
     * {@code rocksdb} or {@code hashmap}, in any case, as Flink's {@code state.backend.type} takes it.
     *
     * @throws IllegalArgumentException for any other value
     */
    public static String name(String flag) {
        String n = flag.toLowerCase(Locale.ROOT);
        if (!n.equals("rocksdb") && !n.equals("hashmap")) {
            throw new IllegalArgumentException("--state-backend must be rocksdb or hashmap, got " + flag);
        }
        return n;
    }

    /** The state backend a savepoint is read or written with. */
    static StateBackend backend(String name) {
        return name(name).equals("rocksdb") ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend();
    }
}

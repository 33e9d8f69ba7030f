package org.flinox.operators;

import java.util.List;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoField;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;

/**
 * New weights for a running model: an {@code .npz} file of parameters by path, with its
 * version. The model operator applies it between two records, or refuses it
 * ({@link ModelVersions}).
 *
 * @param version the version the outputs will carry as {@code model_version}
 * @param source where it came from, for a person (a file's name, a topic and offset)
 * @param npz the {@code .npz} file's bytes, or null when they could not be read
 * @param unreadable why they could not be read (too large, an I/O error), or null
 */
public record ModelUpdate(String version, String source, byte[] npz, String unreadable) {

    /**
     * The largest update accepted: 64 MiB, some 16 million float32 parameters. Every parallel
     * instance keeps the update in force in memory and in each checkpoint (broadcast state).
     */
    public static final long MAX_BYTES = 64L << 20;

    /** Flink's type of updates: a POJO of a string, a string, bytes and a string; never Kryo. */
    public static final TypeInformation<ModelUpdate> TYPE = typeInfo();

    /** An update whose bytes were read. */
    public static ModelUpdate of(String version, String source, byte[] npz) {
        return new ModelUpdate(version, source, npz, null);
    }

    /** An update that could not be read: it will be refused with {@code why}. */
    public static ModelUpdate unreadable(String version, String source, String why) {
        return new ModelUpdate(version, source, null, why);
    }

    /** The update without its bytes: what a dead letter of it holds. */
    public ModelUpdate withoutBytes() {
        return new ModelUpdate(version, source, null, unreadable);
    }

    private static TypeInformation<ModelUpdate> typeInfo() {
        try {
            return new PojoTypeInfo<>(ModelUpdate.class, List.of(
                    new PojoField(ModelUpdate.class.getDeclaredField("version"), BasicTypeInfo.STRING_TYPE_INFO),
                    new PojoField(ModelUpdate.class.getDeclaredField("source"), BasicTypeInfo.STRING_TYPE_INFO),
                    new PojoField(ModelUpdate.class.getDeclaredField("npz"),
                            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO),
                    new PojoField(ModelUpdate.class.getDeclaredField("unreadable"), BasicTypeInfo.STRING_TYPE_INFO)));
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e); // the record's own components
        }
    }
}

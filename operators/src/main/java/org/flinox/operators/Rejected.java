package org.flinox.operators;

import java.util.List;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EnumTypeInfo;
import org.apache.flink.api.java.typeutils.PojoField;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.util.OutputTag;

/**
 * A stream element the model could not use, with why; the key's state was left as it was.
 *
 * @param input the element, as it came in
 * @param reason the kind of problem ({@link DeadLetterReason#WRONG_FEATURE_COUNT},
 *     {@link DeadLetterReason#NOT_FINITE}, {@link DeadLetterReason#NO_FEATURES} or
 *     {@link DeadLetterReason#FORWARD_FAILED})
 * @param detail what exactly was wrong, for a person: the model, the entry and the value
 * @param <T> the stream's element type
 */
public record Rejected<T>(T input, DeadLetterReason reason, String detail) {

    /**
     * Flink's type of the dead letters of a stream of {@code inputType}: a POJO type built from
     * {@code T}'s, so Flink's own POJO serializer (and its snapshot) writes them, never Kryo.
     */
    public static <T> TypeInformation<Rejected<T>> typeInfo(TypeInformation<T> inputType) {
        try {
            @SuppressWarnings("unchecked")
            Class<Rejected<T>> type = (Class<Rejected<T>>) (Class<?>) Rejected.class;
            return new PojoTypeInfo<>(type, List.of(
                    new PojoField(Rejected.class.getDeclaredField("input"), inputType),
                    new PojoField(Rejected.class.getDeclaredField("reason"), new EnumTypeInfo<>(DeadLetterReason.class)),
                    new PojoField(Rejected.class.getDeclaredField("detail"), BasicTypeInfo.STRING_TYPE_INFO)));
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e); // the record's own components
        }
    }

    /** The side output the model operator sends a stream of {@code inputType}'s dead letters to. */
    public static <T> OutputTag<Rejected<T>> tag(TypeInformation<T> inputType) {
        return new OutputTag<>("flinox-rejected", typeInfo(inputType));
    }
}

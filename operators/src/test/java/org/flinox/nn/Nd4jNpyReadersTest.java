package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.flinox.nn.NpzInteropTest.f32;
import static org.flinox.nn.NpzInteropTest.npy;
import static org.flinox.nn.NpzInteropTest.npyDeclaring;
import static org.flinox.nn.NpzInteropTest.npyVersion;
import static org.flinox.nn.NpzInteropTest.npyWithHeader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What ND4J 1.0.0-M2.1's own readers make of the files {@link NpzInteropTest} pins, next to
 * what {@link Npz} makes of them: the record behind {@link Npz}'s class doc. Two readers:
 * {@code Nd4j.createFromNpzFile}, Java that walks the zip's local headers by hand, and
 * {@code Nd4j.createNpyFromByteArray}, libnd4j's native {@code cnpy} parser, given here the
 * entry as {@code java.util.zip} inflates it ({@code Nd4j.createFromNpyFile} is the same
 * parser, and behaved the same on every case when tried by hand). Each test asserts what ND4J
 * actually does, so a newer ND4J that fixes a case fails here and says the hand-written part
 * can shrink.
 *
 * <p>Not run: a big-endian array through the native reader ({@code cnpy.cpp:281:
 * Assertion `littleEndian' failed} aborts the JVM), and a negative or huge declared shape
 * through it (it allocates what the header declares before looking at the data; in a separate
 * JVM that was an {@code OutOfMemoryError}, how it ends depends on the memory limits).
 */
class Nd4jNpyReadersTest {

    @TempDir
    Path dir;

    private Map<String, INDArray> nd4jNpz(boolean compressed, byte[] entry) throws Exception {
        return Nd4j.createFromNpzFile(NpzInteropTest.zip(dir.resolve("w.npz"), compressed, Map.of("w.npy", entry))
                .toFile());
    }

    private Tensor flinox(boolean compressed, byte[] entry) throws IOException {
        return Npz.read(NpzInteropTest.zip(dir.resolve("f.npz"), compressed, Map.of("w.npy", entry))).get("w");
    }

    /** One little-endian float64, the data of a {@code (1,)} array. */
    private static byte[] oneDouble(double v) {
        return java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putDouble(v).array();
    }

    /** The values in row-major order, whatever the array's own order. */
    private static double[] rowMajor(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    // ---- where ND4J holds -------------------------------------------------------------------

    @Test
    void bothReadALittleEndianRowMajorVersion1ArrayAsNpzDoes() throws Exception {
        byte[] f4 = npy("<f4", false, "(2, 3)", 0.1, 0.2, 0.3, -1.5, 2.25, 1e-3);
        byte[] f8 = npy("<f8", false, "(3, 2)", 1, 2, 3, 4, 5, 0.1);
        double[] f4Values = {f32(0.1), f32(0.2), f32(0.3), -1.5, 2.25, f32(1e-3)};

        assertThat(flinox(false, f4).toArray()).containsExactly(f4Values);
        for (INDArray a : new INDArray[] {nd4jNpz(false, f4).get("w"), Nd4j.createNpyFromByteArray(f4)}) {
            assertThat(a.dataType()).isEqualTo(DataType.FLOAT);
            assertThat(a.shape()).containsExactly(2, 3);
            assertThat(rowMajor(a)).containsExactly(f4Values);
        }
        assertThat(flinox(false, f8).toArray()).containsExactly(1, 2, 3, 4, 5, 0.1);
        for (INDArray a : new INDArray[] {nd4jNpz(false, f8).get("w"), Nd4j.createNpyFromByteArray(f8)}) {
            assertThat(a.dataType()).isEqualTo(DataType.DOUBLE);
            assertThat(a.shape()).containsExactly(3, 2);
            assertThat(rowMajor(a)).containsExactly(1, 2, 3, 4, 5, 0.1);
        }
    }

    @Test
    void theNpzReaderReadsFortranOrderAndVersions2And3TheNpyReaderDoesNot() throws Exception {
        // the 2x3 matrix [[1, 2, 3], [4, 5, 6]] stored column by column
        byte[] fortran = npy("<f8", true, "(2, 3)", 1, 4, 2, 5, 3, 6);
        assertThat(flinox(false, fortran).toArray()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(rowMajor(nd4jNpz(false, fortran).get("w"))).containsExactly(1, 2, 3, 4, 5, 6);
        INDArray scrambled = Nd4j.createNpyFromByteArray(fortran);
        assertThat(scrambled.shape()).containsExactly(2, 3);
        assertThat(rowMajor(scrambled)).as("fortran_order ignored, no error").containsExactly(1, 4, 2, 5, 3, 6);

        for (int major : new int[] {2, 3}) {
            byte[] v = npyVersion(major, npy("<f8", false, "(2,)", 0.1, -2));
            assertThat(flinox(false, v).toArray()).containsExactly(0.1, -2);
            assertThat(rowMajor(nd4jNpz(false, v).get("w"))).containsExactly(0.1, -2);
            assertThatThrownBy(() -> Nd4j.createNpyFromByteArray(v))
                    .hasMessageContaining("Pointer doesn't look like a NumPy header");
        }
    }

    @Test
    void bothPassNanAndInfinityThroughAsNpzDoesParametersRefusesThem() throws Exception {
        byte[] nan = npy("<f4", false, "(3,)", 1, Double.NaN, Double.POSITIVE_INFINITY);

        assertThat(flinox(false, nan).toArray()).containsExactly(1, Double.NaN, Double.POSITIVE_INFINITY);
        assertThat(rowMajor(nd4jNpz(false, nan).get("w"))).containsExactly(1, Double.NaN, Double.POSITIVE_INFINITY);
        assertThat(rowMajor(Nd4j.createNpyFromByteArray(nan))).containsExactly(1, Double.NaN, Double.POSITIVE_INFINITY);
    }

    // ---- where it does not ------------------------------------------------------------------

    @Test
    void theNpzReaderFailsOnEveryDeflatedEntryWithoutNamingTheFile() throws Exception {
        byte[] entry = npy("<f4", false, "(2, 2)", 1, 2, 3, 4);

        assertThat(flinox(true, entry).toArray()).containsExactly(1, 2, 3, 4);
        assertThatThrownBy(() -> nd4jNpz(true, entry))
                .hasMessageStartingWith("Unsupported data type: ")
                .hasMessageNotContaining("w.npz");
    }

    @Test
    void bigEndianIsRefusedByTheNpzReaderAndAbortsTheJvmInTheNpyReader() throws Exception {
        byte[] big = npy(">f8", false, "(2,)", 0.1, -2);

        assertThat(flinox(false, big).toArray()).containsExactly(0.1, -2);
        // it takes two characters after "'|" when there is no '<': "de" from "'descr'"
        assertThatThrownBy(() -> nd4jNpz(false, big)).hasMessage("Unsupported data type: de");
        // Nd4j.createNpyFromByteArray(big) is not run: it kills this JVM (see the class doc)
    }

    @Test
    void aScalarFailsInTheNpzReaderAndAnEmptyArrayComesBackAsAGarbageScalarFromTheNpyReader() throws Exception {
        byte[] scalar = npy("<f8", false, "()", 7.5);
        byte[] empty = npy("<f4", false, "(0,)");

        assertThat(flinox(false, scalar).toArray()).containsExactly(7.5);
        assertThatThrownBy(() -> nd4jNpz(false, scalar)).isInstanceOf(NumberFormatException.class);
        assertThat(rowMajor(Nd4j.createNpyFromByteArray(scalar))).containsExactly(7.5);

        assertThat(flinox(false, empty).shape()).containsExactly(0);
        assertThat(nd4jNpz(false, empty).get("w").shape()).containsExactly(0);
        INDArray notEmpty = Nd4j.createNpyFromByteArray(empty);
        assertThat(notEmpty.shape()).as("rank 0, not [0]").isEmpty();
        assertThat(notEmpty.length()).isEqualTo(1);
    }

    @Test
    void truncatedDataIsReadPastItsEndWithoutAnError() throws Exception {
        byte[] full = npy("<f4", false, "(2, 3)", 1, 2, 3, 4, 5, 6);
        byte[] cut = java.util.Arrays.copyOf(full, full.length - 4); // the sixth value is missing

        assertThatThrownBy(() -> flinox(false, cut)).hasMessageContaining("truncated");
        for (INDArray a : new INDArray[] {nd4jNpz(false, cut).get("w"), Nd4j.createNpyFromByteArray(cut)}) {
            assertThat(a.shape()).containsExactly(2, 3);
            assertThat(java.util.Arrays.copyOf(rowMajor(a), 5)).containsExactly(1, 2, 3, 4, 5);
        }
    }

    @Test
    void moreDataThanTheHeaderDeclaresIsIgnored() throws Exception {
        byte[] honest = npy("<f4", false, "(2, 3)", 1, 2, 3, 4, 5, 6);
        byte[] longer = java.util.Arrays.copyOf(honest, honest.length + 1024);

        assertThatThrownBy(() -> flinox(false, longer)).hasMessageContaining("more data than its header declares");
        assertThat(rowMajor(nd4jNpz(false, longer).get("w"))).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(rowMajor(Nd4j.createNpyFromByteArray(longer))).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void theNpzReaderSizesItsBufferFromTheDeclaredShapeUnchecked() throws Exception {
        // declares float64[60000, 60000] (28.8 GB) and holds two values; the int cast overflows
        byte[] huge = npyDeclaring("<f8", "(60000, 60000)", 1, 2);

        assertThatThrownBy(() -> flinox(false, huge)).hasMessageContaining("memory available");
        assertThatThrownBy(() -> nd4jNpz(false, huge)).isInstanceOf(NegativeArraySizeException.class);
    }

    @Test
    void headersNumpyRefusesAreReadAsIfTheyWereFine() throws Exception {
        byte[] twice = npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'descr': '|O', }",
                oneDouble(1.5));
        byte[] unknownKey = npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1, }",
                oneDouble(1.5));
        byte[] noOrder = npyWithHeader("{'descr': '<f8', 'shape': (1,), }", oneDouble(1.5));

        for (byte[] header : new byte[][] {twice, unknownKey, noOrder}) {
            assertThatThrownBy(() -> flinox(false, header)).isInstanceOf(IOException.class);
            assertThat(rowMajor(nd4jNpz(false, header).get("w"))).containsExactly(1.5);
            assertThat(rowMajor(Nd4j.createNpyFromByteArray(header))).containsExactly(1.5);
        }
    }

    @Test
    void integerArraysAreReadAsLongWhereNpzRefusesThem() throws Exception {
        byte[] ints = new String(npy("<f8", false, "(2,)", 0, 0), java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace("'<f8'", "'<i8'").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ints[ints.length - 16] = 3; // little-endian int64 3
        ints[ints.length - 8] = 5;

        assertThatThrownBy(() -> flinox(false, ints)).hasMessageContaining("<i8");
        for (INDArray a : new INDArray[] {nd4jNpz(false, ints).get("w"), Nd4j.createNpyFromByteArray(ints)}) {
            assertThat(a.dataType()).isEqualTo(DataType.LONG);
            assertThat(a.toLongVector()).containsExactly(3, 5);
        }
    }

    @Test
    void anEntryThatIsNotAnNpyArrayGivesAnErrorNamingNeitherFileNorEntry() throws Exception {
        byte[] text = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> Npz.read(NpzInteropTest.zip(dir.resolve("f.npz"), false, Map.of("notes.txt", text))))
                .hasMessageContaining("notes.txt");
        assertThatThrownBy(() -> Nd4j.createFromNpzFile(
                        NpzInteropTest.zip(dir.resolve("w.npz"), false, Map.of("notes.txt", text)).toFile()))
                .isInstanceOf(StringIndexOutOfBoundsException.class)
                .hasMessageNotContaining("notes.txt");
        assertThatThrownBy(() -> Nd4j.createNpyFromByteArray(text))
                .hasMessage("Pointer doesn't look like a NumPy header");
    }
}

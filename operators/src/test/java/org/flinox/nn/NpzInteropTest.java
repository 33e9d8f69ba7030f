package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Npz} against files laid out exactly as numpy writes them, built here byte by byte
 * (not by the code under test): {@code np.savez} stores entries uncompressed,
 * {@code np.savez_compressed} deflates them.
 */
class NpzInteropTest {

    @TempDir
    Path dir;

    // ---- numpy's layout, by hand ----------------------------------------------------------

    /** A .npy v1.0 file: magic, version, uint16 LE header length, dict padded to 64, data. */
    static byte[] npy(String descr, boolean fortran, String shape, double... values) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
                + ", 'shape': " + shape + ", }";
        int preamble = 6 + 2 + 2;
        int padding = 64 - (preamble + dict.length() + 1) % 64;
        if (padding == 64) {
            padding = 0;
        }
        String header = dict + " ".repeat(padding) + "\n";
        assertThat((preamble + header.length()) % 64).isZero();
        boolean big = descr.startsWith(">");
        int width = descr.endsWith("4") ? 4 : 8;
        ByteBuffer b = ByteBuffer.allocate(preamble + header.length() + width * values.length);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.put((byte) (header.length() & 0xFF)).put((byte) (header.length() >>> 8));
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        b.order(big ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            if (width == 4) {
                b.putFloat((float) v);
            } else {
                b.putDouble(v);
            }
        }
        return b.array();
    }

    /**
     * The .npy of {@link #npy} in format version 2.0 or 3.0 (numpy's choice for headers over
     * 64 KiB, or with non-Latin-1 field names): a uint32 header length, the dict re-padded to 64.
     */
    static byte[] npyVersion(int major, byte[] v1) {
        int v1HeaderLength = (v1[8] & 0xFF) | (v1[9] & 0xFF) << 8;
        String dict = new String(v1, 10, v1HeaderLength, StandardCharsets.ISO_8859_1).stripTrailing();
        int preamble = 6 + 2 + 4;
        int padding = (64 - (preamble + dict.length() + 1) % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        byte[] data = java.util.Arrays.copyOfRange(v1, 10 + v1HeaderLength, v1.length);
        ByteBuffer b = ByteBuffer.allocate(preamble + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) major).put((byte) 0);
        b.putInt(header.length()).put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        assertThat((preamble + header.length()) % 64).isZero();
        return b.array();
    }

    /** A zip of the given entries, stored (np.savez) or deflated (np.savez_compressed). */
    Path npz(String fileName, boolean compressed, Map<String, byte[]> entries) throws IOException {
        return zip(dir.resolve(fileName), compressed, entries);
    }

    /** {@link #npz} into {@code file}. */
    static Path zip(Path file, boolean compressed, Map<String, byte[]> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                if (compressed) {
                    entry.setMethod(ZipEntry.DEFLATED);
                } else {
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(e.getValue().length);
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    Path savez(Map<String, byte[]> entries) throws IOException {
        return npz("weights.npz", false, entries);
    }

    static double f32(double v) {
        return (float) v;
    }

    // ---- reading -----------------------------------------------------------------------------

    @Test
    void namesAreEntryNamesWithoutNpySuffix() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(".l1.weight.npy", npy("<f4", false, "(2, 3)", 1, 2, 3, 4, 5, 6));
        entries.put(".l1.bias.npy", npy("<f4", false, "(3,)", 0, 0, 0));
        entries.put("['b'].npy", npy("<f8", false, "(1,)", 7));

        assertThat(Npz.read(savez(entries)).keySet()).containsExactly(".l1.bias", ".l1.weight", "['b']");
    }

    @Test
    void readsFloat32Matrix() throws IOException {
        Tensor t = Npz.read(savez(Map.of("w.npy", npy("<f4", false, "(2, 3)", 0.1, 0.2, 0.3, -1.5, 2.25, 1e-3))))
                .get("w");

        assertThat(t.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(t.shape()).containsExactly(2, 3);
        assertThat(t.toArray()).containsExactly(f32(0.1), f32(0.2), f32(0.3), -1.5, 2.25, f32(1e-3));
    }

    @Test
    void readsFloat32Vector() throws IOException {
        Tensor t = Npz.read(savez(Map.of("b.npy", npy("<f4", false, "(4,)", 0.5, -0.1, 3, 1e20)))).get("b");

        assertThat(t.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(t.shape()).containsExactly(4);
        assertThat(t.toArray()).containsExactly(0.5, f32(-0.1), 3.0, f32(1e20));
    }

    @Test
    void readsFloat64Vector() throws IOException {
        Tensor t = Npz.read(savez(Map.of("m.npy", npy("<f8", false, "(3,)", 0.1, Math.PI, -1e-300)))).get("m");

        assertThat(t.dtype()).isEqualTo(DType.FLOAT64);
        assertThat(t.shape()).containsExactly(3);
        assertThat(t.toArray()).containsExactly(0.1, Math.PI, -1e-300);
    }

    @Test
    void readsFloat64Matrix() throws IOException {
        Tensor t = Npz.read(savez(Map.of("m.npy", npy("<f8", false, "(3, 2)", 1, 2, 3, 4, 5, 0.1)))).get("m");

        assertThat(t.dtype()).isEqualTo(DType.FLOAT64);
        assertThat(t.shape()).containsExactly(3, 2);
        assertThat(t.toArray()).containsExactly(1, 2, 3, 4, 5, 0.1);
    }

    @Test
    void readsDeflatedEntriesAsSavezCompressedWritesThem() throws IOException {
        Path file = npz("compressed.npz", true, Map.of("w.npy", npy("<f4", false, "(2, 2)", 1, 2, 3, 4)));

        assertThat(Npz.read(file).get("w").toArray()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void readsFortranOrderIntoRowMajor() throws IOException {
        // the 2x3 matrix [[1, 2, 3], [4, 5, 6]] stored column by column, as np.save writes W.T
        Path file = savez(Map.of("w.npy", npy("<f8", true, "(2, 3)", 1, 4, 2, 5, 3, 6)));

        Tensor t = Npz.read(file).get("w");
        assertThat(t.shape()).containsExactly(2, 3);
        assertThat(t.toArray()).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void readsRank3FortranOrderAndFortranOrderWithAZeroLengthAxis() throws IOException {
        // x[i][j][k] = 100i + 10j + k, shape (2, 3, 4); numpy's Fortran order runs i fastest, then j, then k
        double[] columnMajor = new double[24];
        double[] rowMajor = new double[24];
        int n = 0;
        for (int k = 0; k < 4; k++) {
            for (int j = 0; j < 3; j++) {
                for (int i = 0; i < 2; i++) {
                    columnMajor[n++] = 100 * i + 10 * j + k;
                }
            }
        }
        n = 0;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    rowMajor[n++] = 100 * i + 10 * j + k;
                }
            }
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("x.npy", npy("<f4", true, "(2, 3, 4)", columnMajor));
        entries.put("e.npy", npy("<f8", true, "(0, 3)"));

        Map<String, Tensor> arrays = Npz.read(savez(entries));
        assertThat(arrays.get("x").dtype()).isEqualTo(DType.FLOAT32);
        assertThat(arrays.get("x").shape()).containsExactly(2, 3, 4);
        assertThat(arrays.get("x").toArray()).containsExactly(rowMajor);
        assertThat(arrays.get("e").shape()).containsExactly(0, 3);
        assertThat(arrays.get("e").size()).isZero();
    }

    @Test
    void readsBigEndianData() throws IOException {
        Tensor t = Npz.read(savez(Map.of("w.npy", npy(">f8", false, "(2,)", 0.1, -2)))).get("w");

        assertThat(t.toArray()).containsExactly(0.1, -2);
    }

    @Test
    void readsFormatVersions2And3() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("v2.npy", npyVersion(2, npy("<f8", false, "(2,)", 0.1, -2)));
        entries.put("v3.npy", npyVersion(3, npy("<f4", true, "(2, 2)", 1, 3, 2, 4)));

        Map<String, Tensor> arrays = Npz.read(npz("versions.npz", true, entries));
        assertThat(arrays.get("v2").toArray()).containsExactly(0.1, -2);
        assertThat(arrays.get("v3").shape()).containsExactly(2, 2);
        assertThat(arrays.get("v3").toArray()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void readsBigEndianFloat32() throws IOException {
        Tensor t = Npz.read(savez(Map.of("w.npy", npy(">f4", false, "(3,)", 0.5, -0.1, 3)))).get("w");

        assertThat(t.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(t.toArray()).containsExactly(0.5, f32(-0.1), 3);
    }

    @Test
    void readsScalarAndEmptyArrays() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("s.npy", npy("<f8", false, "()", 7.5));
        entries.put("e.npy", npy("<f4", false, "(0,)"));

        Map<String, Tensor> arrays = Npz.read(savez(entries));
        assertThat(arrays.get("s").shape()).isEmpty();
        assertThat(arrays.get("s").toArray()).containsExactly(7.5);
        assertThat(arrays.get("e").shape()).containsExactly(0);
        assertThat(arrays.get("e").size()).isZero();
    }

    @Test
    void refusesIntegerArrayNamingFileEntryAndDescr() throws IOException {
        byte[] ints = npy("<f8", false, "(2,)", 1, 2);
        byte[] asInt = new String(ints, StandardCharsets.ISO_8859_1).replace("'<f8'", "'<i8'")
                .getBytes(StandardCharsets.ISO_8859_1);
        Path file = savez(Map.of("counts.npy", asInt));

        assertThatThrownBy(() -> Npz.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("counts.npy")
                .hasMessageContaining("<i8");
    }

    @Test
    void refusesTruncatedDataNamingEntry() throws IOException {
        byte[] full = npy("<f4", false, "(2, 3)", 1, 2, 3, 4, 5, 6);
        byte[] cut = java.util.Arrays.copyOf(full, full.length - 4);
        Path file = savez(Map.of("w.npy", cut));

        assertThatThrownBy(() -> Npz.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("w.npy")
                .hasMessageContaining("truncated");
    }

    @Test
    void refusesEntryThatIsNotNpyNamingIt() throws IOException {
        Path file = savez(Map.of("notes.txt", "hello".getBytes(StandardCharsets.US_ASCII)));

        assertThatThrownBy(() -> Npz.read(file)).isInstanceOf(IOException.class).hasMessageContaining("notes.txt");
    }

    @Test
    void refusesFileThatIsNotAZipNamingIt() throws IOException {
        Path file = dir.resolve("plain.npz");
        Files.write(file, npy("<f4", false, "(1,)", 1));

        assertThatThrownBy(() -> Npz.read(file)).isInstanceOf(IOException.class).hasMessageContaining(file.toString());
    }

    // ---- writing -----------------------------------------------------------------------------

    @Test
    void writeThenReadGivesTheSameArrays() throws IOException {
        Map<String, Tensor> arrays = Map.of(
                ".l1.weight", Tensor.of(DType.FLOAT32, new int[] {2, 3}, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6),
                ".l1.bias", Tensor.vector(DType.FLOAT32, -1, 0, 1),
                "['b']", Tensor.of(DType.FLOAT64, new int[] {2, 2}, Math.E, Math.PI, 1e-300, -0.0));
        Path file = dir.resolve("out.npz");

        Npz.write(file, arrays);

        assertThat(Npz.read(file)).isEqualTo(arrays);
    }

    @Test
    void writeProducesNumpysLayoutEntryForEntry() throws IOException {
        Path file = dir.resolve("out.npz");
        Npz.write(file, Map.of(
                ".l1.weight", Tensor.of(DType.FLOAT32, new int[] {2, 3}, 1, 2, 3, 4, 5, 6.5),
                ".l1.bias", Tensor.vector(DType.FLOAT64, 0.1, 0.2, 0.3)));

        try (ZipFile zip = new ZipFile(file.toFile())) {
            assertThat(zip.stream().map(ZipEntry::getName).toList()).containsExactlyInAnyOrder(
                    ".l1.weight.npy", ".l1.bias.npy");
            ZipEntry w = zip.getEntry(".l1.weight.npy");
            assertThat(w.getMethod()).as("stored, as np.savez writes").isEqualTo(ZipEntry.STORED);
            assertThat(zip.getInputStream(w).readAllBytes())
                    .isEqualTo(npy("<f4", false, "(2, 3)", 1, 2, 3, 4, 5, 6.5));
            assertThat(zip.getInputStream(zip.getEntry(".l1.bias.npy")).readAllBytes())
                    .isEqualTo(npy("<f8", false, "(3,)", 0.1, 0.2, 0.3));
        }
    }

    @Test
    void writeOfNoArraysReadsBackEmpty() throws IOException {
        Path file = dir.resolve("empty.npz");
        Npz.write(file, Map.of());

        assertThat(Npz.read(file)).isEmpty();
    }

    // ---- hostile files (issue 12): bounded by what they declare -----------------------------

    /** A .npy whose header declares {@code shape} but which holds only {@code values}. */
    static byte[] npyDeclaring(String descr, String shape, double... values) {
        byte[] honest = npy(descr, false, "(" + values.length + ",)", values);
        String text = new String(honest, StandardCharsets.ISO_8859_1);
        String declared = text.replace("'shape': (" + values.length + ",)", "'shape': " + shape);
        // keep the header length (and the 64-byte alignment) by trimming the padding
        int grow = declared.length() - text.length();
        declared = declared.replaceFirst(" {" + grow + "}\n", "\n");
        return declared.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A .npy with the given header dict, padded as numpy pads it, and the given data bytes. */
    static byte[] npyWithHeader(String dict, byte[] data) {
        int preamble = 10;
        int padding = (64 - (preamble + dict.length() + 1) % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        ByteBuffer b = ByteBuffer.allocate(preamble + header.length() + data.length);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.put((byte) (header.length() & 0xFF)).put((byte) (header.length() >>> 8));
        b.put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
        return b.array();
    }

    record OneLinear(Linear l1) {}

    static OneLinear oneLinear() {
        return new OneLinear(new Linear(Tensor.zeros(DType.FLOAT32, 2, 3), Tensor.zeros(DType.FLOAT32, 3)));
    }

    @Test
    void aDeclaredShapeOtherThanTheParametersIsRefusedBeforeItsDataIsRead() throws IOException {
        // declares 100000 x 100000 float32 (40 GB) and holds six values
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(".l1.weight.npy", npyDeclaring("<f4", "(100000, 100000)", 1, 2, 3, 4, 5, 6));
        entries.put(".l1.bias.npy", npy("<f4", false, "(3,)", 0, 0, 0));
        Path file = npz("big.npz", true, entries);

        assertThatThrownBy(() -> Parameters.load(oneLinear(), file, "user/big.npz", false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("user/big.npz")
                .hasMessageContaining(".l1.weight: expected shape [2, 3], got [100000, 100000]");
    }

    @Test
    void aMemberThatDeclaresMoreThanTheMemoryAvailableIsRefusedWithoutReadingIt() throws IOException {
        Path file = npz("huge.npz", true, Map.of("w.npy", npyDeclaring("<f8", "(60000, 60000)", 1, 2)));

        assertThatThrownBy(() -> Npz.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("w.npy")
                .hasMessageContaining("float64[60000, 60000]")
                .hasMessageContaining("memory available");
    }

    @Test
    void aMemberWhoseStreamIsLongerThanItsHeaderDeclaresIsRefused() throws IOException {
        // a deflate bomb in miniature: declares float32[2, 3], inflates to 8 MiB
        byte[] honest = npy("<f4", false, "(2, 3)", 1, 2, 3, 4, 5, 6);
        byte[] bomb = java.util.Arrays.copyOf(honest, honest.length + (8 << 20));
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(".l1.weight.npy", bomb);
        entries.put(".l1.bias.npy", npy("<f4", false, "(3,)", 0, 0, 0));
        Path file = npz("bomb.npz", true, entries);
        assertThat(Files.size(file)).as("compressed").isLessThan(100_000);

        assertThatThrownBy(() -> Parameters.load(oneLinear(), file, false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(".l1.weight.npy")
                .hasMessageContaining("more data than its header declares");
    }

    @Test
    void nanOrInfiniteWeightsAreRefusedAtLoadNamingFilePathAndValue() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(".l1.weight.npy", npy("<f4", false, "(2, 3)", 1, 2, Double.NaN, 4, 5, 6));
        entries.put(".l1.bias.npy", npy("<f4", false, "(3,)", 0, Double.POSITIVE_INFINITY, 0));
        Path file = savez(entries);

        assertThatThrownBy(() -> Parameters.load(oneLinear(), file, "weights-from-user.npz", false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weights-from-user.npz")
                .hasMessageContaining(".l1.weight: value 2 is NaN")
                .hasMessageContaining(".l1.bias: value 1 is Infinity");
    }

    @Test
    void float64WeightsBeyondFloat32sRangeAreRefusedAtLoadNamingFilePathAndValue() throws IOException {
        // finite as float64, infinite once rounded to the float32 parameter: every record would fail
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(".l1.weight.npy", npy("<f8", false, "(2, 3)", 1, 2, 3, 4, 1e300, 6));
        entries.put(".l1.bias.npy", npy("<f8", false, "(3,)", 0, -3.5e38, 3.4e38));
        Path file = savez(entries);

        assertThatThrownBy(() -> Parameters.load(oneLinear(), file, "weights-from-user.npz", false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weights-from-user.npz")
                .hasMessageContaining(".l1.weight: value 4 is 1.0E300, beyond the range of float32")
                .hasMessageContaining(".l1.bias: value 1 is -3.5E38, beyond the range of float32");
    }

    @Test
    void float64WeightsWithinFloat32sRangeLoadRounded() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(".l1.weight.npy", npy("<f8", false, "(2, 3)", 0.1, 2, 3, 4, 5, 6));
        entries.put(".l1.bias.npy", npy("<f8", false, "(3,)", 0, -3.4e38, 1e-50));
        Path file = savez(entries);

        Map<String, Tensor> loaded = Parameters.of(Parameters.load(oneLinear(), file, false).module());

        assertThat(loaded.get(".l1.weight").get(0)).isEqualTo((float) 0.1);
        assertThat(loaded.get(".l1.bias").toArray()).containsExactly(0, (float) -3.4e38, 0);
    }

    @Test
    void aHeaderThatGivesAKeyTwiceIsRefusedAsNumpyWouldNotReadItAsTheFirst() throws IOException {
        // numpy's literal_eval keeps the last 'descr': an object array, which it refuses
        byte[] sneaky = npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'descr': '|O', }",
                new byte[8]);
        Path file = savez(Map.of("w.npy", sneaky));

        assertThatThrownBy(() -> Npz.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("w.npy")
                .hasMessageContaining("'descr' appears twice");
    }

    @Test
    void aHeaderWithAKeyNumpyDoesNotKnowOrWithoutOneItNeedsIsRefused() throws IOException {
        byte[] extra = npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1, }", new byte[8]);
        assertThatThrownBy(() -> Npz.read(savez(Map.of("w.npy", extra))))
                .isInstanceOf(IOException.class).hasMessageContaining("w.npy");
        byte[] missing = npyWithHeader("{'descr': '<f8', 'shape': (1,), }", new byte[8]);
        assertThatThrownBy(() -> Npz.read(npz("m.npz", false, Map.of("w.npy", missing))))
                .isInstanceOf(IOException.class).hasMessageContaining("exactly the keys");
        byte[] negative = npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", new byte[8]);
        assertThatThrownBy(() -> Npz.read(npz("n.npz", false, Map.of("w.npy", negative))))
                .isInstanceOf(IOException.class).hasMessageContaining("non-negative");
    }

    @Test
    void errorsNameTheGivenFileNameNotTheFileRead() throws IOException {
        Path copy = savez(Map.of("w.npy", npy("<f8", false, "(2,)", 1, 2).clone()));
        Files.write(copy, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> Npz.read(copy, "my-weights.npz"))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("my-weights.npz:")
                .hasMessageNotContaining(copy.toString());
    }
}

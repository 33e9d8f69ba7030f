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

    /** A zip of the given entries, stored (np.savez) or deflated (np.savez_compressed). */
    Path npz(String fileName, boolean compressed, Map<String, byte[]> entries) throws IOException {
        Path file = dir.resolve(fileName);
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
    void readsBigEndianData() throws IOException {
        Tensor t = Npz.read(savez(Map.of("w.npy", npy(">f8", false, "(2,)", 0.1, -2)))).get("w");

        assertThat(t.toArray()).containsExactly(0.1, -2);
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
}

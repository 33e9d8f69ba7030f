package org.flinox.nn;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * numpy's {@code .npz} files: a zip archive with one {@code .npy} array per entry, the
 * entry named {@code <name>.npy}. Parameters are stored under their paths
 * ({@code .l1.weight.npy}), so {@code np.savez("w.npz", **{".l1.weight": W, ...})} writes a
 * file {@link Parameters#load(Object, Path, boolean)} reads.
 *
 * <p>Why not ND4J's {@code Nd4j.createFromNpzFile}: checked against ND4J 1.0.0-M2.1, it
 * reads entries without decompressing them and fails on every file written by
 * {@code np.savez_compressed} ("Unsupported data type: "). Its single-array reader
 * {@code Nd4j.createNpyFromByteArray} ignores {@code fortran_order} (a {@code W.T} saved from
 * numpy comes back with its values scrambled, without an error) and returns a garbage scalar
 * for a zero-length array. So the archive is read with {@code java.util.zip} (stored and
 * deflated entries alike) and the {@code .npy} header, a short Python dict literal, is parsed
 * here; that is also what lets every error name the file, the entry and what was wrong.
 * Reading and writing need no ND4J native code.
 *
 * <p>Supported arrays: {@code float32} and {@code float64} ({@code <f4}, {@code <f8}, and the
 * big-endian {@code >f4}, {@code >f8}), any shape including scalars and zero-length axes, C
 * or Fortran order, {@code .npy} format versions 1.0, 2.0 and 3.0. Anything else (integers,
 * float16, structured or object arrays) is refused with the entry's name and descriptor.
 */
public final class Npz {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64; // numpy pads the header so the data starts 64-aligned
    private static final Pattern DESCR = Pattern.compile("['\"]descr['\"]\\s*:\\s*['\"]([^'\"]*)['\"]");
    private static final Pattern FORTRAN = Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");

    private Npz() {}

    /**
     * The arrays of an {@code .npz} file by name (the entry name without {@code .npy}), in
     * sorted name order.
     *
     * @throws IOException when the file cannot be read, is not a zip archive, or holds an
     *     entry that is not a supported {@code .npy} array; the message names the file and
     *     the entry
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        TreeMap<String, Tensor> arrays = new TreeMap<>();
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new IOException(file + ": not an .npz file (not a zip archive: " + e.getMessage() + ")", e);
        }
        try (zip) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.isDirectory()) {
                    continue;
                }
                String entryName = entry.getName();
                if (!entryName.endsWith(".npy")) {
                    throw new IOException(file + ": entry '" + entryName + "' is not a .npy array "
                            + "(every entry of an .npz file is named <name>.npy)");
                }
                String name = entryName.substring(0, entryName.length() - ".npy".length());
                byte[] bytes;
                try (InputStream in = zip.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                }
                Tensor t;
                try {
                    t = parseNpy(bytes);
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + ": entry '" + entryName + "': " + e.getMessage(), e);
                }
                if (arrays.put(name, t) != null) {
                    throw new IOException(file + ": entry '" + entryName + "' appears twice");
                }
            }
        }
        return Collections.unmodifiableSortedMap(arrays);
    }

    /**
     * Writes the arrays as numpy's {@code np.savez} does: one stored (uncompressed) entry
     * {@code <name>.npy} per array, each a {@code .npy} version 1.0 array, little-endian
     * ({@code <f4}, {@code <f8}), C order, its header padded to 64 bytes. Replaces the file.
     */
    public static void write(Path file, Map<String, Tensor> arrays) throws IOException {
        TreeMap<String, Tensor> sorted = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) {
                throw new IllegalArgumentException("cannot write an array without a name to " + file);
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("cannot write array '" + e.getKey() + "' to " + file + ": it is null");
            }
            sorted.put(e.getKey(), e.getValue());
        }
        try (OutputStream out = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
                byte[] npy = toNpy(e.getValue());
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(npy.length);
                entry.setCompressedSize(npy.length);
                CRC32 crc = new CRC32();
                crc.update(npy);
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(npy);
                zip.closeEntry();
            }
        }
    }

    /** One array in {@code .npy} format 1.0, little-endian, C order. */
    static byte[] toNpy(Tensor t) {
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < t.rank(); i++) {
            shape.append(i == 0 ? "" : ", ").append(t.dim(i));
        }
        shape.append(t.rank() == 1 ? ",)" : ")");
        String dict = "{'descr': '" + t.dtype().npyDescr() + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int padding = (ALIGN - unpadded % ALIGN) % ALIGN;
        String header = dict + " ".repeat(padding) + "\n";
        if (header.length() > 0xFFFF) {
            throw new IllegalArgumentException("shape " + Arrays.toString(t.shape()) + " is too long for an .npy 1.0 header");
        }
        int width = t.dtype().bytes();
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + t.size() * width)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < t.size(); i++) {
            if (width == 4) {
                b.putFloat((float) t.get(i));
            } else {
                b.putDouble(t.get(i));
            }
        }
        return b.array();
    }

    /** One {@code .npy} array; an {@link IllegalArgumentException} says what is wrong. */
    static Tensor parseNpy(byte[] bytes) {
        if (bytes.length < MAGIC.length + 4 || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new IllegalArgumentException("not a .npy array (no \\x93NUMPY magic)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6] & 0xFF;
        int minor = bytes[7] & 0xFF;
        int headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(b.getShort(8));
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new IllegalArgumentException("truncated .npy header");
            }
            headerLength = b.getInt(8);
            headerStart = 12;
        } else {
            throw new IllegalArgumentException("unsupported .npy format version " + major + "." + minor);
        }
        if (headerLength < 0 || headerStart + headerLength > bytes.length) {
            throw new IllegalArgumentException("truncated .npy header");
        }
        String header = new String(bytes, headerStart, headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

        String descr = field(DESCR, header, "descr");
        boolean fortran = field(FORTRAN, header, "fortran_order").equals("True");
        int[] shape = parseShape(field(SHAPE, header, "shape"), header);

        DType dtype;
        ByteOrder order;
        switch (descr) {
            case "<f4" -> { dtype = DType.FLOAT32; order = ByteOrder.LITTLE_ENDIAN; }
            case ">f4" -> { dtype = DType.FLOAT32; order = ByteOrder.BIG_ENDIAN; }
            case "<f8" -> { dtype = DType.FLOAT64; order = ByteOrder.LITTLE_ENDIAN; }
            case ">f8" -> { dtype = DType.FLOAT64; order = ByteOrder.BIG_ENDIAN; }
            default -> throw new IllegalArgumentException("unsupported dtype '" + descr
                    + "': Flinox reads float32 and float64 arrays ('<f4', '<f8')");
        }
        int count = Tensor.sizeOf(shape);
        int dataStart = headerStart + headerLength;
        long needed = (long) count * dtype.bytes();
        if (bytes.length - dataStart < needed) {
            throw new IllegalArgumentException("truncated data: shape " + Arrays.toString(shape) + " of "
                    + dtype.numpyName() + " needs " + needed + " bytes, the entry has " + (bytes.length - dataStart));
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, bytes.length - dataStart).slice().order(order);
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = dtype == DType.FLOAT32 ? data.getFloat(i * 4) : data.getDouble(i * 8);
        }
        if (fortran && shape.length > 1) {
            values = fortranToC(values, shape);
        }
        return Tensor.of(dtype, shape, values);
    }

    private static String field(Pattern pattern, String header, String name) {
        Matcher m = pattern.matcher(header);
        if (!m.find()) {
            throw new IllegalArgumentException("the .npy header has no readable '" + name + "': " + header.strip());
        }
        return m.group(1);
    }

    private static int[] parseShape(String tuple, String header) {
        String[] parts = tuple.split(",");
        int n = 0;
        int[] shape = new int[parts.length];
        for (String p : parts) {
            String s = p.strip();
            if (s.endsWith("L")) {
                s = s.substring(0, s.length() - 1); // Python 2 longs in old files
            }
            if (s.isEmpty()) {
                continue; // the trailing comma of (3,) or the empty tuple ()
            }
            try {
                shape[n++] = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the .npy header has an unreadable shape: " + header.strip());
            }
            if (shape[n - 1] < 0) {
                throw new IllegalArgumentException("the .npy header has a negative dimension: " + header.strip());
            }
        }
        return Arrays.copyOf(shape, n);
    }

    /** Column-major values of {@code shape} in row-major order. */
    private static double[] fortranToC(double[] f, int[] shape) {
        int rank = shape.length;
        int[] fStride = new int[rank];
        int s = 1;
        for (int d = 0; d < rank; d++) {
            fStride[d] = s;
            s *= shape[d];
        }
        double[] c = new double[f.length];
        int[] index = new int[rank];
        for (int i = 0; i < c.length; i++) {
            int offset = 0;
            for (int d = 0; d < rank; d++) {
                offset += index[d] * fStride[d];
            }
            c[i] = f[offset];
            for (int d = rank - 1; d >= 0; d--) { // advance the row-major index
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return c;
    }
}

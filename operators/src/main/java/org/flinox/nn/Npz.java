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
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.factory.Nd4j;

/**
 * numpy's {@code .npz} files: a zip archive with one {@code .npy} array per entry, the
 * entry named {@code <name>.npy}. Parameters are stored under their paths
 * ({@code .l1.weight.npy}), so {@code np.savez("w.npz", **{".l1.weight": W, ...})} writes a
 * file {@link Parameters#load(Object, Path, boolean)} reads.
 *
 * <p>Why mostly hand-written: ND4J 1.0.0-M2.1's own readers were run on every case the tests
 * pin ({@code Nd4jNpyReadersTest}), and they hold only for a well-formed little-endian array.
 * {@code Nd4j.createFromNpzFile} walks the zip's local headers by hand: it fails on every
 * deflated entry ({@code np.savez_compressed}), on big-endian data and on scalars. The native
 * {@code Nd4j.createNpyFromByteArray} ignores {@code fortran_order} (values scrambled, no
 * error), refuses format versions 2.0 and 3.0, returns a garbage scalar for a zero-length
 * array, and aborts the JVM on big-endian data. Neither checks the header as numpy does,
 * refuses truncated or over-long data, weighs a declared size before allocating it, or names the
 * file and entry at fault. So the archive is read with {@code java.util.zip} (stored and
 * deflated entries alike), the header is parsed here ({@link NpyHeaderDict}), and ND4J does
 * the part its {@code .npz} reader gets right: laying out Fortran-order data row-major.
 *
 * <p>Supported arrays: {@code float32} and {@code float64} ({@code <f4}, {@code <f8}, and the
 * big-endian {@code >f4}, {@code >f8}), any shape including scalars and zero-length axes, C
 * or Fortran order, {@code .npy} format versions 1.0, 2.0 and 3.0. Anything else (integers,
 * float16, structured or object arrays) is refused with the entry's name and descriptor.
 */
public final class Npz {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64; // numpy pads the header so the data starts 64-aligned

    private Npz() {}

    /** numpy refuses longer headers unless told otherwise ({@code max_header_size}, numpy 1.24+). */
    static final int MAX_HEADER_BYTES = 10_000;

    /**
     * What an {@code .npy} header declares about its array.
     *
     * @param dtype float32 or float64
     * @param order the byte order of the data
     * @param shape the array's shape
     * @param fortranOrder whether the data is column-major
     */
    public record Header(DType dtype, ByteOrder order, int[] shape, boolean fortranOrder) {
        public Header {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** The number of data bytes the header declares; {@code Long.MAX_VALUE} beyond that. */
        public long dataBytes() {
            try {
                long n = dtype.bytes();
                for (int d : shape) {
                    n = Math.multiplyExact(n, (long) d);
                }
                return n;
            } catch (ArithmeticException overflow) {
                return Long.MAX_VALUE;
            }
        }

        /** {@code float32[2, 3]}. */
        public String layout() {
            return dtype.numpyName() + Arrays.toString(shape);
        }
    }

    /** One array of an open {@link Archive}: its header now, its data only when asked. */
    public interface Member {
        /** The shape the member declares. */
        int[] shape();

        /**
         * The array, read and checked: exactly as many bytes as the header declares are
         * inflated; a member with more or fewer is refused.
         */
        Tensor read() throws IOException;

        /** An array already in memory as a member. */
        static Member of(Tensor array) {
            return new Member() {
                @Override
                public int[] shape() {
                    return array.shape();
                }

                @Override
                public Tensor read() {
                    return array;
                }
            };
        }
    }

    /**
     * An open {@code .npz} file whose headers are read and whose data is not, so a caller can
     * check each declared shape against what it expects before a byte of data is inflated:
     * a 3 MB file that declares 3 GiB costs nothing until someone asks for it.
     */
    public static final class Archive implements AutoCloseable {
        private final ZipFile zip;
        private final String name;
        private final SortedMap<String, Member> members;

        private Archive(ZipFile zip, String name, SortedMap<String, Member> members) {
            this.zip = zip;
            this.name = name;
            this.members = Collections.unmodifiableSortedMap(members);
        }

        /** The members by array name (the entry name without {@code .npy}), in sorted order. */
        public SortedMap<String, Member> members() {
            return members;
        }

        /** The file's name as errors give it. */
        public String name() {
            return name;
        }

        @Override
        public void close() throws IOException {
            zip.close();
        }
    }

    /**
     * Opens an {@code .npz} file and reads the header of every member (no data).
     *
     * @param name the file's name for error messages (the user's, when {@code file} is a copy)
     * @throws IOException when the file cannot be read, is not a zip archive, or has an entry
     *     that is not a supported {@code .npy} array or that appears twice; the message names
     *     the file and the entry
     */
    public static Archive open(Path file, String name) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new IOException(name + ": not an .npz file (not a zip archive: " + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new IOException(name + ": cannot read (" + e.getMessage() + ")", e);
        }
        try {
            TreeMap<String, Member> members = new TreeMap<>();
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.isDirectory()) {
                    continue;
                }
                String entryName = entry.getName();
                if (!entryName.endsWith(".npy")) {
                    throw new IOException(name + ": entry '" + entryName + "' is not a .npy array "
                            + "(every entry of an .npz file is named <name>.npy)");
                }
                String arrayName = entryName.substring(0, entryName.length() - ".npy".length());
                Header header;
                try (InputStream in = zip.getInputStream(entry)) {
                    header = readHeader(in);
                } catch (IllegalArgumentException e) {
                    throw new IOException(name + ": entry '" + entryName + "': " + e.getMessage(), e);
                }
                if (members.put(arrayName, new ZipMember(zip, entry, name, header)) != null) {
                    throw new IOException(name + ": entry '" + entryName + "' appears twice");
                }
            }
            return new Archive(zip, name, members);
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    /**
     * The arrays of an {@code .npz} file by name (the entry name without {@code .npy}), in
     * sorted name order. Each member inflates no more than its header declares, and a member
     * that declares more than the memory available is refused before it is read.
     *
     * @throws IOException when the file cannot be read, is not a zip archive, or holds an
     *     entry that is not a supported {@code .npy} array; the message names the file and
     *     the entry
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return read(file, file.toString());
    }

    /** {@link #read(Path)}, naming the file {@code name} in errors. */
    public static Map<String, Tensor> read(Path file, String name) throws IOException {
        TreeMap<String, Tensor> arrays = new TreeMap<>();
        try (Archive archive = open(file, name)) {
            for (Map.Entry<String, Member> m : archive.members().entrySet()) {
                arrays.put(m.getKey(), m.getValue().read());
            }
        }
        return Collections.unmodifiableSortedMap(arrays);
    }

    /** A member of a zip archive; {@link #read} re-opens the entry and reads it bounded. */
    private record ZipMember(ZipFile zip, ZipEntry entry, String file, Header header) implements Member {
        @Override
        public int[] shape() {
            return header.shape();
        }

        @Override
        public Tensor read() throws IOException {
            String where = file + ": entry '" + entry.getName() + "'";
            long bytes = header.dataBytes();
            Runtime rt = Runtime.getRuntime();
            long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
            long needed = bytes / header.dtype().bytes() * Double.BYTES;
            if (bytes > Integer.MAX_VALUE - 8 || needed > available) {
                throw new IOException(where + ": declares " + header.layout() + ", " + needed
                        + " bytes as doubles, more than the " + available + " bytes of memory available");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                readHeader(in); // the same header as when the archive was opened
                byte[] data = in.readNBytes((int) bytes);
                if (data.length < bytes) {
                    throw new IOException(where + ": truncated data: " + header.layout() + " needs " + bytes
                            + " bytes, the entry has " + data.length);
                }
                if (in.read() >= 0) {
                    throw new IOException(where + ": holds more data than its header declares ("
                            + header.layout() + ", " + bytes + " bytes); refusing to read on");
                }
                return toTensor(header, data);
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ": " + e.getMessage(), e);
            }
        }
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

    /**
     * Reads the magic, the version and the header dict, leaving {@code in} at the first data
     * byte. The dict is parsed as the Python literal it is, and checked as numpy checks it:
     * exactly the keys {@code descr}, {@code fortran_order} and {@code shape} (a key given
     * twice is refused: numpy would take the last, which is how an object array hides behind
     * an innocent first {@code descr}), a boolean order, a tuple of non-negative ints.
     */
    static Header readHeader(InputStream in) throws IOException {
        byte[] magic = in.readNBytes(MAGIC.length + 2);
        if (magic.length < MAGIC.length + 2 || !Arrays.equals(Arrays.copyOf(magic, MAGIC.length), MAGIC)) {
            throw new IllegalArgumentException("not a .npy array (no \\x93NUMPY magic)");
        }
        int major = magic[6] & 0xFF;
        int minor = magic[7] & 0xFF;
        int lengthBytes = switch (major) {
            case 1 -> 2;
            case 2, 3 -> 4;
            default -> throw new IllegalArgumentException("unsupported .npy format version " + major + "." + minor);
        };
        byte[] len = in.readNBytes(lengthBytes);
        if (len.length < lengthBytes) {
            throw new IllegalArgumentException("truncated .npy header");
        }
        ByteBuffer b = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = lengthBytes == 2 ? Short.toUnsignedInt(b.getShort()) : Integer.toUnsignedLong(b.getInt());
        if (headerLength > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("the .npy header is " + headerLength + " bytes long; numpy refuses "
                    + "headers over " + MAX_HEADER_BYTES + " bytes");
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw new IllegalArgumentException("truncated .npy header");
        }
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> dict = NpyHeaderDict.parse(header);
        if (!dict.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
            throw new IllegalArgumentException("the .npy header must have exactly the keys 'descr', 'fortran_order' "
                    + "and 'shape', as numpy requires: " + header.strip());
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new IllegalArgumentException("the .npy header's 'descr' is not a string: " + header.strip());
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new IllegalArgumentException("the .npy header's 'fortran_order' is not True or False: "
                    + header.strip());
        }
        if (!(dict.get("shape") instanceof int[] shape)) {
            throw new IllegalArgumentException("the .npy header's 'shape' is not a tuple of ints: " + header.strip());
        }
        return switch (descr) {
            case "<f4" -> new Header(DType.FLOAT32, ByteOrder.LITTLE_ENDIAN, shape, fortran);
            case ">f4" -> new Header(DType.FLOAT32, ByteOrder.BIG_ENDIAN, shape, fortran);
            case "<f8" -> new Header(DType.FLOAT64, ByteOrder.LITTLE_ENDIAN, shape, fortran);
            case ">f8" -> new Header(DType.FLOAT64, ByteOrder.BIG_ENDIAN, shape, fortran);
            default -> throw new IllegalArgumentException("unsupported dtype '" + descr
                    + "': Flinox reads float32 and float64 arrays ('<f4', '<f8')");
        };
    }

    private static Tensor toTensor(Header header, byte[] bytes) {
        ByteBuffer data = ByteBuffer.wrap(bytes).order(header.order());
        int count = bytes.length / header.dtype().bytes();
        double[] values = new double[count];
        boolean f4 = header.dtype() == DType.FLOAT32;
        for (int i = 0; i < count; i++) {
            values[i] = f4 ? data.getFloat(i * 4) : data.getDouble(i * 8);
        }
        int[] shape = header.shape();
        if (header.fortranOrder() && shape.length > 1 && count > 0) {
            // column-major data: ND4J's 'f' layout, copied row-major (as Nd4j.createFromNpzFile does)
            values = Nd4j.create(values, shape, 'f').dup('c').reshape(count).toDoubleVector();
        }
        return Tensor.adopt(header.dtype(), shape, values);
    }
}

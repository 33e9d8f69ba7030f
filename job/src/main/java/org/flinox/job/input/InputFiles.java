package org.flinox.job.input;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.compression.StandardDeCompressors;
import org.apache.flink.connector.file.src.enumerate.FileEnumerator;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.local.LocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which files an input holds, in the order the job reads them: the one listing rule of the job's
 * source (this is its {@link FileEnumerator}) and of the checks and inference at start.
 *
 * <ul>
 *   <li>An input that is a file is that file, whatever its name. A directory holds every file in
 *       it and in its subdirectories, following symbolic links, except hidden names
 *       ({@link HiddenFiles}) and what is under a hidden directory.
 *   <li>An entry that cannot be followed — a symbolic link loop (a link to a directory above it,
 *       or links that point at each other), a link to nothing, a directory that cannot be listed,
 *       something that is not a regular file (a pipe, a socket) — is skipped with one warning that
 *       names it: a bad entry costs only itself, as a bad file does, and never fails the job.
 *   <li>Files are read in arrival order: modification time, then path
 *       ({@link ArrivalOrderSplitAssigner#ARRIVAL_ORDER}), so the first file is the oldest. A
 *       copy that keeps the original times ({@code cp -p}, {@code rsync -t}, an untar) keeps their
 *       order; a plain {@code cp} gives every file the time it was copied.
 * </ul>
 *
 * <p>A split of each file records its length and modification time when listed, so the reader can
 * tell a file that changed since ({@link TaggedLineFormat}).
 */
public final class InputFiles implements FileEnumerator {

    private static final Logger LOG = LoggerFactory.getLogger(InputFiles.class);

    /** Entries already warned about: one warning each, however often a watched input is listed. */
    private final Set<String> warned = new HashSet<>();
    private long lastId;

    /** The splits of every file under {@code paths}, in arrival order; skipped entries are warned about once. */
    @Override
    public List<FileSourceSplit> enumerateSplits(Path[] paths, int minDesiredSplits) throws IOException {
        List<FileSourceSplit> splits = new ArrayList<>();
        for (Path path : paths) {
            list(path, splits, this::warn);
        }
        splits.sort(ArrivalOrderSplitAssigner.ARRIVAL_ORDER);
        List<FileSourceSplit> numbered = new ArrayList<>(splits.size());
        for (FileSourceSplit s : splits) {
            numbered.add(new FileSourceSplit(String.format("%010d", ++lastId), s.path(), 0, s.length(),
                    s.fileModificationTime(), s.fileSize()));
        }
        return numbered;
    }

    /**
     * The files of an input now, in arrival order, as the job will read them (entries that cannot
     * be followed are left out; the job warns of them when it lists them).
     *
     * @throws IOException when the input itself cannot be read
     */
    public static List<FileSourceSplit> of(String input) throws IOException {
        List<FileSourceSplit> splits = new ArrayList<>();
        list(new Path(input), splits, (path, why) -> {});
        splits.sort(ArrivalOrderSplitAssigner.ARRIVAL_ORDER);
        return splits;
    }

    /**
     * Whether a file is read through a decompressor: the file source's rule, by the end of its name
     * ({@code gz}, {@code gzip}, {@code bz2}, {@code xz}, {@code deflate}; case-sensitive).
     */
    public static boolean isCompressed(String name) {
        return StandardDeCompressors.getDecompressorForFileName(name) != null;
    }

    /** The file name without the extension it is decompressed by ({@code data.csv} for {@code data.csv.gz}). */
    static String withoutCompression(String name) {
        for (String suffix : StandardDeCompressors.getCommonSuffixes()) {
            if (name.endsWith(suffix)) {
                String stem = name.substring(0, name.length() - suffix.length());
                return stem.endsWith(".") ? stem.substring(0, stem.length() - 1) : stem;
            }
        }
        return name;
    }

    private void warn(String path, String why) {
        if (warned.add(path + ": " + why)) {
            LOG.warn("skipping input entry {}: {}", path, why);
        }
    }

    private static void list(Path root, List<FileSourceSplit> into, BiConsumer<String, String> skipped)
            throws IOException {
        FileSystem fs = root.getFileSystem();
        if (fs instanceof LocalFileSystem) {
            listLocal(fs, root, into, skipped);
        } else {
            listRemote(fs, fs.getFileStatus(root), true, into, skipped);
        }
    }

    /** A local input, walked with java.nio so that links are followed and their loops seen. */
    private static void listLocal(FileSystem fs, Path root, List<FileSourceSplit> into,
            BiConsumer<String, String> skipped) throws IOException {
        java.nio.file.Path top = java.nio.file.Path.of(root.toUri().getPath().isEmpty() ? "." : root.toUri().getPath());
        if (!Files.exists(top)) {
            throw new FileNotFoundException("input " + root + " does not exist");
        }
        Files.walkFileTree(top, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(java.nio.file.Path dir, BasicFileAttributes attrs) {
                return !dir.equals(top) && hidden(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(java.nio.file.Path file, BasicFileAttributes attrs) throws IOException {
                if (!file.equals(top) && hidden(file)) {
                    return FileVisitResult.CONTINUE;
                }
                if (attrs.isRegularFile()) {
                    addLocal(fs, file, into);
                } else if (attrs.isSymbolicLink()) {
                    skipped.accept(file.toString(), "a symbolic link that cannot be followed (to nothing, or around "
                            + "a loop of links)");
                } else if (!attrs.isDirectory()) {
                    skipped.accept(file.toString(), "not a regular file");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(java.nio.file.Path file, IOException e) {
                if (!file.equals(top) && hidden(file)) {
                    return FileVisitResult.CONTINUE;
                }
                skipped.accept(file.toString(), e instanceof FileSystemLoopException
                        ? "a symbolic link loop (it leads back to a directory above it)"
                        : "it cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(java.nio.file.Path dir, IOException e) {
                if (e != null) {
                    skipped.accept(dir.toString(), "it cannot be listed (" + e.getClass().getSimpleName() + ": "
                            + e.getMessage() + ")");
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static boolean hidden(java.nio.file.Path p) {
        return p.getFileName() != null && HiddenFiles.isHidden(p.getFileName().toString());
    }

    /** A local file as Flink's file system names it (so paths match those it lists and checkpoints). */
    private static void addLocal(FileSystem fs, java.nio.file.Path file, List<FileSourceSplit> into) throws IOException {
        FileStatus status;
        try {
            status = fs.getFileStatus(new Path(file.toUri()));
        } catch (FileNotFoundException gone) {
            return; // removed while listing: as if listed a moment later
        }
        into.add(split(status));
    }

    /** Another file system (no symbolic links): Flink's listing, each directory on its own. */
    private static void listRemote(FileSystem fs, FileStatus status, boolean top, List<FileSourceSplit> into,
            BiConsumer<String, String> skipped) {
        if (!top && HiddenFiles.isHidden(status.getPath().getName())) {
            return;
        }
        if (!status.isDir()) {
            into.add(split(status));
            return;
        }
        FileStatus[] children;
        try {
            children = fs.listStatus(status.getPath());
        } catch (IOException e) {
            children = null;
        }
        if (children == null) {
            skipped.accept(status.getPath().toString(), "it cannot be listed");
            return;
        }
        for (FileStatus child : children) {
            listRemote(fs, child, false, into, skipped);
        }
    }

    private static FileSourceSplit split(FileStatus file) {
        return new FileSourceSplit("0", file.getPath(), 0, file.getLen(), file.getModificationTime(), file.getLen());
    }
}

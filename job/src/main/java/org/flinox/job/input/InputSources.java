package org.flinox.job.input;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.connector.file.src.AbstractFileSource;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.core.fs.Path;

/**
 * The job's file source: every line of a file, or of every file under a directory
 * ({@link InputFiles}: subdirectories and symbolic links followed, hidden files skipped, an entry
 * that cannot be followed skipped with a warning), as a {@link RawLine}.
 *
 * <pre>Source&lt;RawLine, ?, ?&gt; source = InputSources.forPath("data/").watch(Duration.ofSeconds(5)).build();
 * env.fromSource(source, WatermarkStrategy.noWatermarks(), "input").setParallelism(1);</pre>
 *
 * <p>Each line's {@code source} is its file's path relative to the input directory
 * ({@code sub1/data.csv}), so files of the same name in different subdirectories keep
 * distinct {@code (source, seq)} ids; a file at the top, or an input that is a file, is named
 * by its file name.
 *
 * <p>Bounded by default: the files present when the job starts are read once. {@link #watch}
 * makes it unbounded: the directory is listed again every interval and new files are read.
 * Files are read whole, each by one reader, and handed out by {@link ArrivalOrderSplitAssigner}
 * in order of modification time, then path. Records of one key keep their input order across
 * files only when the source runs at parallelism 1 (the job does so); with more readers, files
 * are read concurrently.
 *
 * <p>A file is read once, as it is when its reader opens it. In a watched directory a file should
 * appear complete (written elsewhere, then moved in): one that changes under a name already listed
 * — replaced, appended to, removed — is not read again, and each change seen is one
 * {@code FILE_CHANGED} dead letter ({@link WatchingEnumerator}, {@link TaggedLineFormat}).
 */
public final class InputSources {

    private final String path;
    private InputFormat format;
    private Duration watch;

    private InputSources(String path) {
        this.path = Objects.requireNonNull(path, "path");
    }

    /** A source for a file or a directory (a local path or a URI Flink's file systems know). */
    public static InputSources forPath(String path) {
        return new InputSources(path);
    }

    /** The format of every file; without it, each file's format comes from its extension. */
    public InputSources format(InputFormat format) {
        this.format = format;
        return this;
    }

    /** Keep watching for new files, listing the path every {@code interval}. */
    public InputSources watch(Duration interval) {
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the watch interval must be positive, got " + interval);
        }
        this.watch = interval;
        return this;
    }

    public AbstractFileSource<RawLine, FileSourceSplit> build() {
        return new LineFileSource(new Path(path), new TaggedLineFormat(format, absolute(path)), watch);
    }

    /** The path made absolute, so files found under it can be named relative to it. */
    static String absolute(String path) {
        Path p = new Path(path);
        try {
            return p.makeQualified(p.getFileSystem()).toString();
        } catch (IOException e) {
            return path; // a file system Flink cannot reach: the source reports that itself
        }
    }
}

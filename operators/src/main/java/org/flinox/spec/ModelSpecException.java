package org.flinox.spec;

/**
 * A model spec that cannot be used, with the place in the spec that is wrong: {@code path}
 * is written the way the spec nests ({@code module.layers[2].in}), so the message reads
 * {@code module.layers[2].in: 8 does not match ...}. When the spec came from a file, the
 * message starts with the file name.
 */
public final class ModelSpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final String problem;
    private final String source;

    public ModelSpecException(String path, String problem) {
        this(null, path, problem, null);
    }

    private ModelSpecException(String source, String path, String problem, Throwable cause) {
        super(message(source, path, problem), cause);
        this.source = source;
        this.path = path;
        this.problem = problem;
    }

    ModelSpecException(String path, String problem, Throwable cause) {
        this(null, path, problem, cause);
    }

    /** The same error, said of the spec read from {@code source} (a file name). */
    public ModelSpecException in(String source) {
        return new ModelSpecException(source, path, problem, getCause());
    }

    /** Where in the spec: {@code module.layers[2].in}; empty for the spec as a whole. */
    public String path() {
        return path;
    }

    /** What is wrong there, without the path. */
    public String problem() {
        return problem;
    }

    private static String message(String source, String path, String problem) {
        String where = path.isEmpty() ? "" : path + ": ";
        return (source == null ? "" : source + ": ") + where + problem;
    }
}

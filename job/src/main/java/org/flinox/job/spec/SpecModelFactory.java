package org.flinox.job.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.flinox.nn.Module;
import org.flinox.nn.Npz;
import org.flinox.nn.Parameters;
import org.flinox.operators.ModelFactory;
import org.flinox.spec.ModelSpec;
import org.flinox.spec.ModelSpecException;

/**
 * The job's {@link ModelFactory}: ships the model spec's JSON text, the feature count and
 * the optional {@code .npz} weights as bytes, and builds the module tree from them in
 * every parallel instance. The constructor builds the tree once, so a bad spec or weights
 * file fails when the job is put together, not on a TaskManager.
 */
public final class SpecModelFactory implements ModelFactory {
    private static final long serialVersionUID = 1L;

    private final String specJson;
    private final int features;
    private final byte[] weights;
    private final String weightsName;
    private final String name;
    private final int outputWidth;
    private transient ModelSpec spec;

    /**
     * @param specJson the model spec ({@link ModelSpec#parse})
     * @param features the number of features each record has
     * @param weights the bytes of an {@code .npz} file of parameters by path, or null for
     *     the seeded initialisation
     */
    public SpecModelFactory(String specJson, int features, byte[] weights) {
        this(specJson, features, weights, "the --weights file");
    }

    /**
     * @param weightsName the weights file as the user named it, for errors (the bytes are
     *     read from a temporary copy on every TaskManager)
     */
    public SpecModelFactory(String specJson, int features, byte[] weights, String weightsName) {
        this.specJson = specJson;
        this.features = features;
        this.weights = weights == null ? null : weights.clone();
        this.weightsName = weightsName;
        ModelSpec parsed = ModelSpec.parse(specJson);
        ModelSpec.Built built = parsed.build(features);
        if (this.weights != null) {
            loadWeights(built.module(), this.weights, weightsName);
        }
        this.spec = parsed;
        this.name = parsed.name();
        this.outputWidth = built.outputWidth();
    }

    /**
     * The factory of the job's {@code --model} and {@code --weights} flags.
     *
     * @param specFile the model spec, or null for {@link ModelSpec#DEFAULT_JSON}
     * @param weightsFile an {@code .npz} file, or null
     */
    public static SpecModelFactory of(Path specFile, int features, Path weightsFile) {
        String json = specFile == null ? ModelSpec.DEFAULT_JSON : ModelSpec.readText(specFile);
        byte[] weights = weightsFile == null ? null : readBytes(weightsFile);
        try {
            return new SpecModelFactory(json, features, weights, weightsFile == null ? null : weightsFile.toString());
        } catch (ModelSpecException e) {
            throw specFile == null ? e : e.in(specFile.toString());
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int inputWidth() {
        return features;
    }

    /** The width of the module's output, one number per output field. */
    public int outputWidth() {
        return outputWidth;
    }

    /** The spec's JSON text, as given. */
    public String specJson() {
        return specJson;
    }

    /** The parsed spec. */
    public ModelSpec spec() {
        ModelSpec s = spec;
        if (s == null) {
            s = ModelSpec.parse(specJson);
            spec = s;
        }
        return s;
    }

    @Override
    public Module create() {
        Module tree = spec().build(features).module();
        return weights == null ? tree : loadWeights(tree, weights, weightsName);
    }

    /**
     * The tree with its parameters replaced by the arrays of an {@code .npz} file named by
     * parameter path ({@code .l1.weight}); a missing, extra or wrongly shaped array is an
     * error naming the path; so is a NaN or infinite value. Each array is inflated only after
     * its declared shape matched its parameter's, and no further. Errors name {@code name},
     * the user's file, never the temporary copy. Called once in the constructor (to fail
     * early) and once per {@link #create()}.
     */
    static Module loadWeights(Module tree, byte[] npz, String name) {
        try {
            Path file = Files.createTempFile("flinox-weights", ".npz");
            try {
                Files.write(file, npz);
                try (Npz.Archive archive = Npz.open(file, name)) { // headers only
                    requireLeadingDots(tree, archive.members().keySet(), name);
                }
                return Parameters.load(tree, file, name, false).module();
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            throw new UncheckedIOException(message.startsWith(name + ":") ? "--weights " + message
                    : "cannot read --weights " + name + ": " + message, e);
        }
    }

    /** Array names are parameter paths as {@code describe} prints them: {@code .l1.weight}, not {@code l1.weight}. */
    private static void requireLeadingDots(Module tree, java.util.Set<String> names, String source) {
        java.util.Set<String> paths = Parameters.of(tree).keySet();
        List<String> undotted = names.stream().filter(n -> !paths.contains(n) && paths.contains("." + n)).toList();
        if (!undotted.isEmpty()) {
            throw new IllegalArgumentException("weights " + source + ": array names are parameter paths with a leading "
                    + "dot: '" + undotted.get(0) + "' should be '." + undotted.get(0) + "'"
                    + (undotted.size() > 1 ? " (and " + (undotted.size() - 1) + " more)" : "")
                    + "; `describe` lists the paths");
        }
    }

    private static byte[] readBytes(Path file) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("--weights " + file + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("--weights " + file + " is a directory, not an .npz file");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read weights " + file + ": " + e.getMessage(), e);
        }
    }
}

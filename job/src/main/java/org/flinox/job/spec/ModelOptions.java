package org.flinox.job.spec;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The flags that name a model, shared by {@code describe}, {@code inspect} and
 * {@code bootstrap}: they must be the ones the job runs (or ran) with, since the model's name
 * gives the operator uid and its state keys the state descriptors.
 */
public final class ModelOptions {

    @Option(names = "--model", paramLabel = "SPEC.json",
            description = "The module tree, as the job has it (its name gives the operator uid); default: standardize.")
    Path model;

    @Option(names = "--features", paramLabel = "A,B,C", split = ",", required = true,
            description = "The job's features; their count is the model's input width.")
    List<String> features;

    @Option(names = "--weights", paramLabel = "FILE.npz", description = "Parameters by path, as the job has them.")
    Path weights;

    @Option(names = "--module-jar", paramLabel = "JAR",
            description = "A jar of your own module types (found through ServiceLoader), as the job has it. Repeatable.")
    List<Path> moduleJars;

    /** The model these flags name (after checking {@code --module-jar}). */
    public SpecModelFactory factory() {
        ModuleJars.check(moduleJars);
        return SpecModelFactory.of(model, features.size(), weights);
    }
}

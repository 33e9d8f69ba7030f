package org.flinox.bench;

import org.flinox.nn.MLP;
import org.flinox.nn.Module;
import org.flinox.nn.Rng;
import org.flinox.nn.Standardize;
import org.flinox.operators.ModelFactory;

/** The two models the benchmarks run, as the operator gets them: through a ModelFactory. */
final class BenchModels {

    static final int FEATURES = 16;
    static final int MLP_OUT = 3;

    private BenchModels() {}

    /** Cumulative Standardize over 16 features (state: .count, .mean, .m2, float64). */
    record StandardizeModel() implements ModelFactory {
        @Override
        public String name() {
            return "bench-standardize";
        }

        @Override
        public int inputWidth() {
            return FEATURES;
        }

        @Override
        public Module create() {
            return Standardize.create(FEATURES);
        }
    }

    /** The seed MLP 16 → hidden → hidden → 3 between its two Moments, seeded with 0. */
    record MlpModel(int hidden) implements ModelFactory {
        @Override
        public String name() {
            return "bench-mlp-" + hidden;
        }

        @Override
        public int inputWidth() {
            return FEATURES;
        }

        @Override
        public Module create() {
            return mlp(hidden);
        }
    }

    static MLP mlp(int hidden) {
        return MLP.create(FEATURES, MLP_OUT, hidden, new Rng(0));
    }
}

package org.flinox.job.spec;

import java.util.List;
import org.flinox.nn.Activation;
import org.flinox.nn.BatchNorm;
import org.flinox.nn.DType;
import org.flinox.nn.GRUCell;
import org.flinox.nn.LayerNorm;
import org.flinox.nn.LSTMCell;
import org.flinox.nn.Linear;
import org.flinox.nn.MLP;
import org.flinox.nn.Module;
import org.flinox.nn.Moments;
import org.flinox.nn.Rng;
import org.flinox.nn.Sequential;
import org.flinox.nn.Standardize;

/**
 * How each type of a model spec becomes a module: one method per type, with every size
 * already resolved by {@link ModelSpec#build} (explicit, or the width coming in) and, for
 * modules with parameters, the node's own generator {@code new Rng(seed).child(path)}.
 * {@link #DEFAULT} builds the modules of {@code org.flinox.nn}; a test may pass its own.
 */
public interface ModuleBuilders {

    ModuleBuilders DEFAULT = new Default();

    Module standardize(int features, Standardize.Mode mode, double momentum, double eps);

    Module moments(int features, double momentum);

    /** {@code bias}: inox's flag; without it, {@code y = x·W}. */
    Module linear(int in, int out, boolean bias, Rng rng);

    Module sequential(List<Module> layers);

    Module layerNorm(int features, boolean affine, double eps);

    /** Evaluation mode: normalizes by the running statistics, which it leaves as they are. */
    Module batchNorm(int features, double momentum, double eps);

    /** inox's example MLP: inStats, l1 in→hidden, ReLU, l2 hidden→hidden, ReLU, l3 hidden→out, outStats. */
    Module mlp(int in, int out, int hidden, Rng rng);

    /** Output width {@code hidden}; the hidden vector is per-key state. */
    Module gru(int in, int hidden, boolean bias, Rng rng);

    /** Output width {@code hidden}; the hidden and cell vectors are per-key state. */
    Module lstm(int in, int hidden, boolean bias, Rng rng);

    /** An activation without parameters, or with its default: identity, relu, ..., softmax. */
    Module activation(String name);

    Module leakyRelu(double slope);

    Module elu(double alpha);

    /** The modules of {@code org.flinox.nn}, float32 parameters like inox. */
    final class Default implements ModuleBuilders {

        private Default() {}

        @Override
        public Module standardize(int features, Standardize.Mode mode, double momentum, double eps) {
            return Standardize.create(features, mode, momentum, eps);
        }

        @Override
        public Module moments(int features, double momentum) {
            return Moments.create(features, momentum, DType.FLOAT32);
        }

        @Override
        public Module linear(int in, int out, boolean bias, Rng rng) {
            return Linear.create(in, out, bias, DType.FLOAT32, rng);
        }

        @Override
        public Module sequential(List<Module> layers) {
            return new Sequential(layers);
        }

        @Override
        public Module layerNorm(int features, boolean affine, double eps) {
            return LayerNorm.create(features, affine, eps);
        }

        @Override
        public Module batchNorm(int features, double momentum, double eps) {
            return BatchNorm.create(features, momentum, eps, DType.FLOAT32).withTraining(false);
        }

        @Override
        public Module mlp(int in, int out, int hidden, Rng rng) {
            return MLP.create(in, out, hidden, rng);
        }

        @Override
        public Module gru(int in, int hidden, boolean bias, Rng rng) {
            return GRUCell.create(in, hidden, bias, DType.FLOAT32, rng);
        }

        @Override
        public Module lstm(int in, int hidden, boolean bias, Rng rng) {
            return LSTMCell.create(in, hidden, bias, DType.FLOAT32, rng);
        }

        @Override
        public Module activation(String name) {
            return Activation.byName(name);
        }

        @Override
        public Module leakyRelu(double slope) {
            return new Activation.LeakyReLU(slope);
        }

        @Override
        public Module elu(double alpha) {
            return new Activation.ELU(alpha);
        }
    }
}

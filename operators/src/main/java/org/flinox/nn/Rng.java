package org.flinox.nn;

/**
 * A deterministic source of initial parameters: the same seed gives the same numbers on
 * every run, JVM and machine (SplitMix64, whose output is fixed by its definition).
 * {@link #child} derives an independent generator from a name, the way JAX splits keys, so
 * a layer's initial weights depend on the seed and its own name, not on the layers built
 * before it.
 */
public final class Rng {
    private final long seed;
    private long state;

    public Rng(long seed) {
        this.seed = seed;
        this.state = seed;
    }

    /** An independent generator for the part of the tree called {@code name}. */
    public Rng child(String name) {
        long h = 1125899906842597L;
        for (int i = 0; i < name.length(); i++) {
            h = 31 * h + name.charAt(i);
        }
        return new Rng(mix(seed ^ mix(h)));
    }

    /** The next uniform double in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** The next uniform double in [-bound, bound). */
    public double uniform(double bound) {
        return (2 * nextDouble() - 1) * bound;
    }

    /** A tensor of U(-bound, bound) values. */
    public Tensor uniform(DType dtype, double bound, int... shape) {
        double[] d = new double[Tensor.sizeOf(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = uniform(bound);
        }
        return Tensor.of(dtype, shape, d);
    }

    private long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded initial parameters are fixed by definition: {@link Rng} is SplitMix64, so its
 * outputs are pinned here against two sources that do not share its code, and the
 * initialisation of a layer against the inox rule applied to those outputs. A change to the
 * generator would silently change every model's parameters; these tests make it loud.
 */
class RngTest {

    /** The first outputs of SplitMix64 seeded with 1234567, as published (Vigna's splitmix64.c, Rosetta Code). */
    private static final long[] PUBLISHED_1234567 = {
        6457827717110365317L, 3203168211198807973L, Long.parseUnsignedLong("9817491932198370423"),
        4593380528125082431L, Long.parseUnsignedLong("16408922859458223821")};

    /** A uniform double in [0, 1) from the top 53 bits of a 64-bit output. */
    private static double unit(long bits) {
        return (bits >>> 11) * 0x1.0p-53;
    }

    @Test
    void rngIsSplitMix64AsPublished() {
        Rng rng = new Rng(1234567);
        for (long published : PUBLISHED_1234567) {
            assertThat(rng.nextDouble()).isEqualTo(unit(published));
        }
    }

    @Test
    void rngFollowsTheJdksSplitMix64ForManySeeds() {
        // java.util.SplittableRandom(seed).nextLong() is SplitMix64 with the same golden gamma
        for (long seed : new long[] {0, 1, 7, 42, -1, Long.MIN_VALUE, 0x9E3779B97F4A7C15L}) {
            Rng rng = new Rng(seed);
            SplittableRandom jdk = new SplittableRandom(seed);
            for (int i = 0; i < 1000; i++) {
                assertThat(rng.nextDouble()).as("seed %d, output %d", seed, i).isEqualTo(unit(jdk.nextLong()));
            }
        }
    }

    @Test
    void seedZerosFirstUniformsAreFixedNumbers() {
        // SplitMix64(0): 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F (as published)
        Rng rng = new Rng(0);
        assertThat(rng.nextDouble()).isEqualTo(unit(0xE220A8397B1DCDAFL));
        assertThat(rng.nextDouble()).isEqualTo(unit(0x6E789E6AA1B965F4L));
        assertThat(rng.nextDouble()).isEqualTo(unit(0x06C45D188009454FL));
        assertThat(new Rng(0).nextDouble()).isEqualTo(0.8833108082136426); // worked out in Python from the published definition
    }

    @Test
    void linearInitialWeightsAreTheInoxUniformOverSplitMix64InRowMajorOrder() {
        // W (in 3, out 2) ~ U(±1/√3) drawn in row-major order, b = 0
        Linear l = Linear.create(3, 2, DType.FLOAT64, new Rng(2026));
        SplittableRandom jdk = new SplittableRandom(2026);
        double bound = 1 / Math.sqrt(3);
        double[] expected = new double[6];
        for (int i = 0; i < 6; i++) {
            expected[i] = (2 * unit(jdk.nextLong()) - 1) * bound;
        }
        assertThat(l.weight().shape()).containsExactly(3, 2);
        assertThat(l.weight().toArray()).containsExactly(expected);
        assertThat(l.bias().toArray()).containsExactly(0.0, 0.0);
    }

    @Test
    void float32LinearWeightsAreTheFloat64DrawsRounded() {
        Linear l = Linear.create(4, 3, new Rng(5));
        SplittableRandom jdk = new SplittableRandom(5);
        double[] got = l.weight().toArray();
        for (int i = 0; i < got.length; i++) {
            double draw = (2 * unit(jdk.nextLong()) - 1) * 0.5;
            assertThat(got[i]).as("weight %d", i).isEqualTo((double) (float) draw);
        }
    }
}

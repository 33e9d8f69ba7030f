package org.flinox.spec;

import java.util.List;
import java.util.Map;
import org.flinox.nn.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Test code only: a module type as a user writes one, {@code {"type": "scale", "factor": 2}},
 * {@code y = factor·x}; registered only on the class loaders the tests make.
 */
public final class ScaleType implements ModuleType {

    public record Scale(double factor) implements Layer {
        @Override
        public double[] apply(double[] x) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = factor * x[i];
            }
            return y;
        }

        @Override
        public INDArray apply(INDArray x) {
            return x.mul(factor);
        }
    }

    @Override
    public String name() {
        return "scale";
    }

    @Override
    public List<String> fields() {
        return List.of("factor");
    }

    @Override
    public ModuleSpec read(SpecNode node) {
        double factor = node.number("factor", 1);
        if (factor == 0) {
            throw new IllegalArgumentException("factor 0 would map every record to 0"); // no path: the registry adds it
        }
        return new ModuleSpec() {
            @Override
            public ModelSpec.Built build(SpecTree tree, String path, Width in) {
                return tree.node(path, Size.NONE, in.value(), () -> new Scale(factor));
            }

            @Override
            public Map<String, Object> describe(org.flinox.nn.Module module) {
                return Map.of("type", "scale", "factor", ((Scale) module).factor());
            }
        };
    }

    /** Test code only: a second type of the same name. */
    public static final class Again implements ModuleType {
        @Override
        public String name() {
            return "scale";
        }

        @Override
        public List<String> fields() {
            return List.of();
        }

        @Override
        public ModuleSpec read(SpecNode node) {
            return (tree, path, in) -> tree.node(path, Size.NONE, in.value(), () -> new Scale(1));
        }
    }

    /** Test code only: a type whose name a spec could not spell. */
    public static final class Capitalised implements ModuleType {
        @Override
        public String name() {
            return "Scale";
        }

        @Override
        public List<String> fields() {
            return List.of();
        }

        @Override
        public ModuleSpec read(SpecNode node) {
            return null;
        }
    }
}

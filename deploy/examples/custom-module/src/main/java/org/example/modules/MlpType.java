package org.example.modules;

import static org.flinox.spec.Size.mul;

import java.util.List;
import org.flinox.spec.ModuleSpec;
import org.flinox.spec.ModuleType;
import org.flinox.spec.Size;
import org.flinox.spec.SpecNode;
import org.flinox.spec.SpecTree;

/**
 * {@code {"type": "my-mlp", "in": 16, "out": 3, "hidden": 64}}: {@link MLP}; {@code in} and
 * {@code out} default to the width coming in, {@code hidden} to 64 as in inox.
 */
public final class MlpType implements ModuleType {

    @Override
    public String name() {
        return "my-mlp";
    }

    @Override
    public List<String> fields() {
        return List.of("in", "out", "hidden");
    }

    @Override
    public ModuleSpec read(SpecNode node) {
        Integer in = node.size("in");
        Integer out = node.size("out");
        Integer hidden = node.size("hidden");
        return (tree, path, width) -> {
            int n = SpecTree.inWidth(in, width, path + ".in");
            int o = out == null ? n : out;
            int h = hidden == null ? 64 : hidden;
            Size size = Size.of(n, n, o, o, mul(n, h), h, mul(h, h), h, mul(h, o), o); // moments, then l1..l3
            return tree.node(path, size, o, () -> MLP.create(n, o, h, tree.rng(path)));
        };
    }
}

package org.example.modules;

import java.util.List;
import org.flinox.spec.ModuleSpec;
import org.flinox.spec.ModuleType;
import org.flinox.spec.Size;
import org.flinox.spec.SpecNode;

/** {@code {"type": "smooth", "alpha": 0.3}}: {@link Smooth} over the width coming in. */
public final class SmoothType implements ModuleType {

    @Override
    public String name() {
        return "smooth";
    }

    @Override
    public List<String> fields() {
        return List.of("alpha");
    }

    @Override
    public ModuleSpec read(SpecNode node) {
        double alpha = node.fraction("alpha", 0.5);
        return (tree, path, in) -> tree.node(path, Size.of(in.value()), in.value(),
                () -> Smooth.create(in.value(), alpha));
    }
}

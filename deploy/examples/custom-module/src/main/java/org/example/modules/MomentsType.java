package org.example.modules;

import java.util.List;
import org.flinox.spec.ModuleSpec;
import org.flinox.spec.ModuleType;
import org.flinox.spec.Size;
import org.flinox.spec.SpecNode;

/** {@code {"type": "my-moments", "momentum": 0.9}}: {@link Moments} over the width coming in. */
public final class MomentsType implements ModuleType {

    @Override
    public String name() {
        return "my-moments";
    }

    @Override
    public List<String> fields() {
        return List.of("momentum");
    }

    @Override
    public ModuleSpec read(SpecNode node) {
        double momentum = node.fraction("momentum", 0.9);
        return (tree, path, in) -> tree.node(path, Size.of(in.value(), in.value()), in.value(),
                () -> Moments.create(in.value(), momentum));
    }
}

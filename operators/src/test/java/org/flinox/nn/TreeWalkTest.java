package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TreeWalkTest {

    record Leafy(Tensor weight, List<Object> items, Map<String, Object> named, String label) {}

    @Test
    void foldSeesRecordsByComponentListsByIndexMapsByKeyWithTheirPaths() {
        Leafy tree = new Leafy(Tensor.zeros(DType.FLOAT64, 2), List.of(1, new Activation.ReLU()), Map.of("b", 2.5), "x");
        List<String> seen = new ArrayList<>();

        String folded = TreeWalk.fold(tree, new TreeWalk.Fold<String>() {
            @Override
            public String leaf(String path, Object leaf) {
                seen.add(path);
                return leaf instanceof Tensor ? "T" : String.valueOf(leaf);
            }

            @Override
            public String record(String path, Record record, Map<String, String> components) {
                return record.getClass().getSimpleName() + components;
            }

            @Override
            public String list(String path, List<?> list, List<String> items) {
                return items.toString();
            }

            @Override
            public String map(String path, Map<?, ?> map, Map<Object, String> entries) {
                return "map" + entries;
            }
        });

        assertThat(folded).isEqualTo("Leafy{weight=T, items=[1, ReLU{}], named=map{b=2.5}, label=x}");
        assertThat(seen).containsExactly(".weight", ".items[0]", ".named['b']", ".label");
    }
}

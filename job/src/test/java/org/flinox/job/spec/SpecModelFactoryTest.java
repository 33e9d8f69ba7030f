package org.flinox.job.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.flinox.nn.Standardize;
import org.junit.jupiter.api.Test;

/** The job's model factory: ships the spec's text and builds the same tree wherever it runs. */
class SpecModelFactoryTest {

    private static final String STANDARDIZE_THEN_LINEAR = """
            {"name": "scorer", "seed": 7, "module": {"type": "sequential", "layers": [
                {"type": "standardize"},
                {"type": "linear"}]}}""";

    @Test
    void factoryBuildsTheSpecsTreeAndKnowsItsWidths() {
        SpecModelFactory factory = new SpecModelFactory("""
                {"name": "scorer", "module": {"type": "sequential", "layers": [
                    {"type": "standardize"}, {"type": "linear", "out": 2}]}}""", 3, null);

        assertThat(factory.name()).isEqualTo("scorer");
        assertThat(factory.inputWidth()).isEqualTo(3);
        assertThat(factory.outputWidth()).isEqualTo(2);
        assertThat(factory.create()).isEqualTo(factory.spec().build(3).module());
    }

    @Test
    void factorySurvivesJavaSerializationAndBuildsTheSameTree() throws Exception {
        SpecModelFactory factory = new SpecModelFactory(STANDARDIZE_THEN_LINEAR, 4, null);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(factory);
        }
        SpecModelFactory copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (SpecModelFactory) in.readObject();
        }

        assertThat(copy.create()).isEqualTo(factory.create());
    }

    @Test
    void factoryWithoutSpecFileRunsTheDefaultSpec() {
        SpecModelFactory factory = SpecModelFactory.of(null, 2, null);

        assertThat(factory.name()).isEqualTo("standardize");
        assertThat(factory.create()).isEqualTo(Standardize.create(2));
    }
}

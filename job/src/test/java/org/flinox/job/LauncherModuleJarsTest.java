package org.flinox.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The launcher finds {@code --module-jar} in either spelling picocli takes, for the child JVM's class path. */
class LauncherModuleJarsTest {

    @Test
    void bothSpellingsInOrderAndNothingElse() {
        assertThat(Launcher.moduleJars(new String[] {"describe", "--module-jar", "a.jar", "--model", "m.json",
                "--module-jar=b/c.jar", "--features", "x"})).containsExactly("a.jar", "b/c.jar");
        assertThat(Launcher.moduleJars(new String[] {"--input", "in.csv", "--module-jar"})).isEmpty(); // no value: picocli says so
    }
}

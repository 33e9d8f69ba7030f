package org.flinox.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Java 17 module openings have one copy, and each of its three readers gets the same list. */
class JavaOpensTest {

    @Test
    void launcherReadsTheOpeningsFlinksScriptsPass() throws Exception {
        assertThat(Launcher.javaOpens())
                .hasSize(15)
                .allMatch(flag -> flag.matches("--add-(opens|exports)=[\\w.]+/[\\w.]+=ALL-UNNAMED"))
                .contains("--add-opens=java.base/java.util=ALL-UNNAMED",
                        "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED");
    }

    @Test
    void thePomPassesTheSameOpeningsToThisTestJvm() throws Exception {
        assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments()).containsAll(Launcher.javaOpens());
    }

    @Test
    void theDeployScriptsReadTheSameOpenings() throws Exception {
        Path script = Path.of("..", "deploy", "java-opens.sh").toAbsolutePath().normalize();
        Process p = new ProcessBuilder("bash", "-c", "set -e; source \"$0\"; printf '%s\\n' \"${JAVA_OPENS[@]}\"",
                script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(List.of(out.strip().split("\n"))).isEqualTo(Launcher.javaOpens());
    }
}

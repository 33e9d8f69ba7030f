package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mvn package} leaves a class-data-sharing archive beside the jar, and a stand-alone run's
 * JVM loads Flinox's and Flink's classes from it (the JVM's class-loading log says where each
 * class came from; the launcher passes the launching JVM's flags on to the child).
 */
class ClassDataSharingTest {
    @TempDir
    Path dir;

    @Test
    void theRunsJvmLoadsItsClassesFromTheArchiveTheBuildMade() throws Exception {
        assertThat(JarRun.JAR.resolveSibling("flinox-job.jsa")).isRegularFile();
        Path in = Files.writeString(dir.resolve("in.csv"), "id,x\na,1\nb,2\n");
        JarRun run = JarRun.of(dir, List.of("-Xlog:class+load=info"), "--input", in.toString(), "--key", "id",
                "--output", dir.resolve("out").toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("org.flinox.job.FlinoxCli source: shared objects file (top)")
                .contains("org.apache.flink.runtime.minicluster.MiniCluster source: shared objects file (top)");
    }

    @Test
    void aRunWithModuleJarsHasAnotherClassPathAndGoesWithoutIt() throws Exception {
        Path jar = Files.write(dir.resolve("empty.jar"), new byte[0]);
        JarRun run = JarRun.of(dir, List.of("-Xlog:class+load=info"), "describe", "--module-jar", jar.toString());
        assertThat(run.out()).doesNotContain("org.flinox.job.FlinoxCli source: shared objects file (top)")
                .doesNotContain("Unable to use shared archive");
    }
}

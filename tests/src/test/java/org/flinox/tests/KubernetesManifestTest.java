package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flinox.job.FlinoxCli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

/**
 * {@code deploy/kubernetes/}: the FlinkDeployment and the Dockerfile cannot be applied or built
 * here (no Kubernetes, no container engine), so this pins what can be checked without them:
 * the manifest's shape, its state settings, and that its job arguments are flags the job's
 * command line accepts.
 */
class KubernetesManifestTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path KUBERNETES = ROOT.resolve("deploy/kubernetes");

    private static JsonNode deployment() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(KUBERNETES.resolve("flinox-deployment.yaml").toFile());
    }

    @Test
    void isAFlink2DeploymentWithSavepointUpgrades() throws Exception {
        JsonNode d = deployment();
        assertThat(d.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
        assertThat(d.path("kind").asText()).isEqualTo("FlinkDeployment");
        assertThat(d.path("spec").path("flinkVersion").asText()).matches("v2_\\d+");
        JsonNode job = d.path("spec").path("job");
        assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");
        assertThat(job.path("jarURI").asText()).isEqualTo("local:///opt/flink/usrlib/flinox-job.jar");
        assertThat(job.path("entryClass").asText()).isEqualTo("org.flinox.job.Launcher");
        assertThat(Class.forName(job.path("entryClass").asText()).getMethod("main", String[].class)).isNotNull();
    }

    @Test
    void checkpointsIncrementallyFromRocksDbToDurableStorage() throws Exception {
        JsonNode conf = deployment().path("spec").path("flinkConfiguration");
        assertThat(conf.path("state.backend.type").asText()).isEqualTo("rocksdb");
        assertThat(conf.path("execution.checkpointing.incremental").asText()).isEqualTo("true");
        assertThat(conf.path("execution.checkpointing.dir").asText()).startsWith("s3://");
        assertThat(conf.path("execution.checkpointing.savepoint-dir").asText()).startsWith("s3://");
        assertThat(conf.path("classloader.parent-first-patterns.additional").asText())
                .isEqualTo("org.nd4j.;org.bytedeco.");
    }

    /**
     * The reporter of deploy/local-cluster.sh, on the port the pods are annotated and expose for
     * scraping: a scrape of the annotated port reaches the reporter.
     */
    @Test
    void podsServePrometheusMetricsWhereTheirScrapeAnnotationsPoint() throws Exception {
        JsonNode spec = deployment().path("spec");
        JsonNode conf = spec.path("flinkConfiguration");
        String clusterScript = Files.readString(ROOT.resolve("deploy/local-cluster.sh"));
        String factory = conf.path("metrics.reporter.prom.factory.class").asText();
        assertThat(factory).isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        assertThat(clusterScript).as("the local cluster runs the same reporter")
                .contains("metrics.reporter.prom.factory.class: " + factory);
        String port = conf.path("metrics.reporter.prom.port").asText();
        assertThat(port).matches("\\d+");

        JsonNode annotations = spec.path("podTemplate").path("metadata").path("annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(port);
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/metrics");

        JsonNode main = null;
        for (JsonNode c : spec.path("podTemplate").path("spec").path("containers")) {
            if (c.path("name").asText().equals("flink-main-container")) {
                main = c;
            }
        }
        assertThat(main).as("the pod template's flink-main-container").isNotNull();
        List<String> metricsPorts = new ArrayList<>();
        main.path("ports").forEach(p -> {
            if (p.path("name").asText().equals("metrics")) {
                metricsPorts.add(p.path("containerPort").asText());
            }
        });
        assertThat(metricsPorts).containsExactly(port);
    }

    @Test
    void jobArgumentsAreFlagsTheJobAccepts() throws Exception {
        List<String> args = new ArrayList<>();
        deployment().path("spec").path("job").path("args").forEach(a -> args.add(a.asText()));
        assertThat(args).isNotEmpty();

        ParseResult run = parseRun(args);
        assertThat(run.unmatched()).isEmpty();
        // A remote --input cannot be listed when the job is put together: format and features must be given.
        assertThat(run.matchedOptionValue("--input", "")).startsWith("s3://");
        assertThat(run.hasMatchedOption("--format")).isTrue();
        assertThat(run.hasMatchedOption("--features")).isTrue();
        assertThat(run.matchedOptionValue("--output", "")).startsWith("s3://");
        // The operator's job.parallelism must decide the parallelism, so that upgrades can rescale.
        assertThat(run.hasMatchedOption("--parallelism")).isFalse();
    }

    /** The check above can fail: a flag the job does not know is refused. */
    @Test
    void anUnknownFlagIsRefused() {
        assertThatThrownBy(() -> parseRun(List.of("--input", "s3://b/in/", "--no-such-flag")))
                .isInstanceOf(CommandLine.UnmatchedArgumentException.class)
                .hasMessageContaining("--no-such-flag");
    }

    /** Parses (without running) the job's {@code run} subcommand, as {@code flink run} would get it. */
    private static ParseResult parseRun(List<String> args) {
        List<String> all = new ArrayList<>(List.of("run"));
        all.addAll(args);
        ParseResult top = new CommandLine(new FlinoxCli()).parseArgs(all.toArray(String[]::new));
        assertThat(top.subcommand()).isNotNull();
        assertThat(top.subcommand().commandSpec().name()).isEqualTo("run");
        return top.subcommand();
    }

    @Test
    void dockerfilePutsTheJobJarWhereTheDeploymentLooksAndNd4jInLib() throws Exception {
        String dockerfile = Files.readString(KUBERNETES.resolve("Dockerfile"));
        assertThat(dockerfile).containsPattern("ARG FLINK_IMAGE=flink:2\\.3\\.\\d+-java17");
        assertThat(dockerfile).contains("COPY --chown=flink:flink job/target/flinox-job.jar /opt/flink/usrlib/flinox-job.jar");
        assertThat(dockerfile).containsPattern("COPY --from=nd4j .*/opt/flink/lib/");
        // The pom it copies exists and pins the same ND4J as the build.
        Matcher pom = Pattern.compile("COPY (deploy/kubernetes/\\S+\\.xml) ").matcher(dockerfile);
        assertThat(pom.find()).isTrue();
        String nd4jPom = Files.readString(ROOT.resolve(pom.group(1)));
        assertThat(version(nd4jPom, "nd4j.version")).isEqualTo(version(Files.readString(ROOT.resolve("pom.xml")), "nd4j.version"));
        assertThat(nd4jPom).contains("<artifactId>nd4j-native-platform</artifactId>");
    }

    private static String version(String pom, String property) {
        Matcher m = Pattern.compile("<" + Pattern.quote(property) + ">([^<]+)</").matcher(pom);
        assertThat(m.find()).as(property).isTrue();
        return m.group(1);
    }
}

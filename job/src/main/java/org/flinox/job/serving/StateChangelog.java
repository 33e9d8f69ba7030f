package org.flinox.job.serving;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.flinox.job.kafka.KafkaAddress;
import org.flinox.job.kafka.KafkaConnectors;
import org.flinox.job.kafka.KafkaSettings;
import org.flinox.operators.StateChange;

/**
 * {@code --state-changelog kafka://HOST:PORT/TOPIC}: the changed keys of every checkpoint to a
 * compacted topic, through the job's exactly-once Kafka sink ({@link KafkaConnectors#sink}):
 * each checkpoint's changes are one transaction, committed when the checkpoint completes, so a
 * {@code read_committed} consumer sees exactly the state of completed checkpoints. Record key:
 * the stream key; value: {@link StateJson#changelogValue}, or null (a tombstone) for a key whose
 * state expired. Compaction keeps the latest record per key: the topic is then every key's state.
 */
public final class StateChangelog {
    /** The changelog's transactional role: ids {@code PREFIX-state-changelog}. */
    static final String ROLE = "state-changelog";
    private static final long TIMEOUT_MS = 30_000;

    private StateChangelog() {}

    public static KafkaSink<StateChange> sink(KafkaAddress topic, KafkaSettings kafka) {
        return KafkaConnectors.sink(topic, kafka, ROLE, StateChange::key, StateJson::changelogValue);
    }

    /**
     * Creates the topic compacted if it is missing; refuses, with one line, one that exists and
     * is not compacted (old states would never be dropped, and a consumer reading it from the
     * start would have to read every change ever made).
     */
    public static void requireCompactedTopic(KafkaAddress topic, Map<String, String> properties) {
        Properties p = new Properties();
        properties.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) {
                p.put(k, v);
            }
        });
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, topic.bootstrapServers());
        p.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT_MS));
        try (Admin admin = Admin.create(p)) {
            boolean exists = admin.listTopics().names().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).contains(topic.topic());
            if (!exists) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic.topic(), Optional.empty(), Optional.empty())
                                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                            .all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    } // created meanwhile: check it as any existing topic
                }
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic.topic());
            Config config = admin.describeConfigs(List.of(resource)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .get(resource);
            String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            if (!List.of(policy.split(",")).contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                throw new IllegalArgumentException("--state-changelog " + topic + ": the topic exists with cleanup.policy="
                        + policy + "; give a compacted topic (cleanup.policy=compact) or a new name, which is created compacted");
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("--state-changelog " + topic + ": cannot check or create the topic ("
                    + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking --state-changelog " + topic, e);
        }
    }
}

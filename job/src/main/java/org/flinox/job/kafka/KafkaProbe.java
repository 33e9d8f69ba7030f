package org.flinox.job.kafka;

import java.util.LinkedHashSet;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Asks the brokers of every {@code kafka://} location for their cluster id before the job
 * starts, so that an address nobody answers fails at start, within {@code default.api.timeout.ms}
 * ({@value #DEFAULT_TIMEOUT_MS} ms unless {@code --kafka-property} sets it), instead of the
 * connector retrying for minutes.
 */
public final class KafkaProbe {
    static final String DEFAULT_TIMEOUT_MS = "30000";

    private KafkaProbe() {}

    /** Probes the brokers of the kafka:// locations among these flags, if any. */
    public static void requireReachable(String input, String output, String deadLetters, java.util.Map<String, String> properties) {
        Set<String> servers = new LinkedHashSet<>();
        for (String location : new String[] {input, output, deadLetters}) {
            if (KafkaAddress.isKafka(location)) {
                servers.add(KafkaAddress.parse(location).bootstrapServers());
            }
        }
        for (String bootstrap : servers) {
            probe(bootstrap, properties);
        }
    }

    private static void probe(String bootstrap, java.util.Map<String, String> properties) {
        Properties p = new Properties();
        properties.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) {
                p.put(k, v); // security and the like; consumer- or producer-only settings would be warned about
            }
        });
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        String timeout = properties.getOrDefault(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, DEFAULT_TIMEOUT_MS);
        long timeoutMs = Long.parseLong(timeout);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(timeoutMs, 30_000)));
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster().clusterId().get(timeoutMs + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("no Kafka broker answered at " + bootstrap + " within " + timeoutMs
                    + " ms (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + "); is the broker "
                    + "running? (--kafka-property default.api.timeout.ms=MS waits longer)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reaching Kafka at " + bootstrap, e);
        }
    }
}

package org.flinox.job.kafka;

import java.io.Serializable;
import java.util.Objects;

/**
 * A Kafka topic as the job's flags name it: {@code kafka://HOST:PORT/TOPIC}, or with several
 * bootstrap servers {@code kafka://HOST1:PORT1,HOST2:PORT2/TOPIC}.
 *
 * @param bootstrapServers the brokers to bootstrap from, {@code host:port[,host:port...]}
 * @param topic the topic
 */
public record KafkaAddress(String bootstrapServers, String topic) implements Serializable {
    static final String SCHEME = "kafka://";

    public KafkaAddress {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
    }

    /** True when {@code location} (an --input, --output or --dead-letter value) names a Kafka topic. */
    public static boolean isKafka(String location) {
        return location != null && location.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /**
     * Parses {@code kafka://HOST:PORT/TOPIC}.
     *
     * @throws IllegalArgumentException naming what is missing, for a malformed address
     */
    public static KafkaAddress parse(String location) {
        if (!isKafka(location)) {
            throw new IllegalArgumentException("'" + location + "' is not a Kafka address: expected kafka://HOST:PORT/TOPIC");
        }
        String rest = location.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        String servers = slash < 0 ? rest : rest.substring(0, slash);
        String topic = slash < 0 ? "" : rest.substring(slash + 1);
        if (servers.isEmpty() || topic.isEmpty() || topic.contains("/")) {
            throw new IllegalArgumentException("'" + location + "' is not a Kafka address: expected "
                    + "kafka://HOST:PORT/TOPIC (bootstrap servers, then one topic)");
        }
        for (String server : servers.split(",", -1)) {
            int colon = server.lastIndexOf(':');
            if (colon <= 0 || colon == server.length() - 1 || !server.substring(colon + 1).chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("'" + location + "': bootstrap server '" + server
                        + "' is not HOST:PORT");
            }
        }
        if (!topic.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("'" + location + "': '" + topic + "' is not a valid Kafka topic name "
                    + "(letters, digits, '.', '_' and '-', at most 249)");
        }
        return new KafkaAddress(servers, topic);
    }

    @Override
    public String toString() {
        return SCHEME + bootstrapServers + "/" + topic;
    }
}

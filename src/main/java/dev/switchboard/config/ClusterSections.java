package dev.switchboard.config;

import java.time.Duration;

/**
 * The {@code cluster} section: several Switchboard processes (nodes) answering as one bot on one PostgreSQL database.
 * Reached as {@code SwitchboardConfig.Cluster} (see {@link PlatformSections}). Immutable.
 */
public interface ClusterSections {

    /**
     * Several nodes as one bot.
     *
     * @param enabled whether this process is one node of several; needs {@code storage.backend: postgres}
     * @param nodeId this node's id, unique among the nodes; empty means the host name and the process id
     * @param lease how long a node's heartbeat and its hold on a thread count without being renewed: a node silent
     *     for longer is dead, and its threads are taken over
     */
    public record Cluster(Boolean enabled, String nodeId, Duration lease) {
        public Cluster {
            enabled = enabled != null ? enabled : Boolean.FALSE;
            nodeId = nodeId != null ? nodeId.strip() : "";
            lease = Values.positive("lease", lease, Duration.ofSeconds(10));
            if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new ConfigValueException("lease", "must be at least 1s, was " + Durations.format(lease),
                        "write e.g. lease: 10s");
            }
            if (nodeId.length() > 200) {
                throw new ConfigValueException("node_id", "is longer than 200 characters",
                        "use a short name such as the host name, or leave it out");
            }
        }
    }
}

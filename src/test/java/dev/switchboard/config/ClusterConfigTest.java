package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code cluster} keys: off by default, a ten-second lease, and refused without the PostgreSQL backend. */
class ClusterConfigTest {

    private final ConfigLoader loader = new ConfigLoader();

    private SwitchboardConfig parse(String yaml) {
        return loader.parse(yaml, "test.yaml", Map.of()).config();
    }

    @Test
    void defaults_offWithATenSecondLease_andTheHostAndPidAsNodeId() {
        SwitchboardConfig.Cluster cluster = parse("").cluster();

        assertThat(cluster.enabled()).isFalse();
        assertThat(cluster.nodeId()).isEmpty();
        assertThat(cluster.lease()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void onPostgres_readsEveryKey() {
        SwitchboardConfig.Cluster cluster = parse("""
                storage:
                  backend: postgres
                  postgres: {url: "jdbc:postgresql://db:5432/switchboard"}
                cluster:
                  enabled: true
                  node_id: " node-a "
                  lease: 4s
                """).cluster();

        assertThat(cluster.enabled()).isTrue();
        assertThat(cluster.nodeId()).isEqualTo("node-a");
        assertThat(cluster.lease()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void enabledOnTheFilesBackend_isRefused_sayingWhatToSet() {
        assertThatThrownBy(() -> parse("cluster:\n  enabled: true\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.enabled").hasMessageContaining("storage.backend is files")
                .hasMessageContaining("storage.backend: postgres");
    }

    @Test
    void aLeaseBelowOneSecond_isRefused() {
        assertThatThrownBy(() -> parse("cluster:\n  lease: 500ms\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.lease").hasMessageContaining("at least 1s");
        assertThatThrownBy(() -> parse("cluster:\n  lease: 0s\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.lease").hasMessageContaining("positive");
    }
}

package dev.switchboard;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.testing.FakeSlack;
import dev.switchboard.testing.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whole services as the nodes of one bot on one test database, started from YAML and closed together with the fakes
 * they talk to.
 */
final class ClusterNodes implements AutoCloseable {

    private final PostgresDatabase db;
    private final Path data;
    private final List<AutoCloseable> started = new ArrayList<>();

    ClusterNodes(PostgresDatabase db, Path data) {
        this.db = db;
        this.data = data;
    }

    /**
     * A node's config: Slack over HTTP to {@code slack}, storage on the test database, the cluster on, ops on a free
     * port.
     *
     * @param sections the providers and routing sections, as YAML at the top level
     */
    String yaml(String id, FakeSlack slack, String sections) {
        return """
                slack:
                  bot_token: %s
                  signing_secret: %s
                  api_url: %s
                  mode: http
                %s
                storage:
                  path: %s
                  backend: postgres
                  postgres: {url: "%s", user: postgres, pool_size: 4}
                cluster: {enabled: true, node_id: %s, lease: 2s}
                ops: {port: 0}
                """.formatted(FakeSlack.BOT_TOKEN, FakeSlack.SIGNING_SECRET, slack.apiUrl(), sections.strip(),
                data.resolve(id).toString().replace("\\", "/"), db.url(), id);
    }

    /** Starts a node from a config given as text; {@code reload} is not available on it. */
    Service start(String yaml) {
        return add(new Service(new ConfigLoader().parse(yaml, "test.yaml", Map.of()), Clock.systemUTC()));
    }

    /** Starts a node from a config file, which {@code reload} reads again. */
    Service start(Path file) {
        ConfigLoader loader = new ConfigLoader();
        return add(new Service(loader.load(file, true, Map.of()), Clock.systemUTC(),
                () -> loader.load(file, true, Map.of())));
    }

    /** Writes a node's config file under the test's folder. */
    Path write(String id, String yaml) throws java.io.IOException {
        return Files.writeString(data.resolve(id + ".yaml"), yaml);
    }

    private Service add(Service service) {
        started.add(service);
        return service.start();
    }

    /** Closes {@code fake} after the nodes. */
    <T extends AutoCloseable> T closing(T fake) {
        started.addFirst(fake);
        return fake;
    }

    /** Closes the nodes, newest first, then the fakes. */
    @Override
    public void close() {
        for (AutoCloseable each : started.reversed()) {
            try {
                each.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        started.clear();
    }
}

package dev.switchboard;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.PostgresDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Whole services started as nodes of one bot on one test database, each with a data folder of its own, the given
 * platform section and the fake provider; closed together at the end of a test.
 */
final class ProviderNodes implements AutoCloseable {

    private final PostgresDatabase db;
    private final Path data;
    private final FakeProvider provider;
    private final String lease;
    private final List<Service> running = new CopyOnWriteArrayList<>();

    /** @param lease the nodes' lease, as the config writes it ("2s") */
    ProviderNodes(PostgresDatabase db, Path data, FakeProvider provider, String lease) {
        this.db = db;
        this.data = data;
        this.provider = provider;
        this.lease = lease;
    }

    /**
     * Starts a node.
     *
     * @param platforms the YAML of its platform sections, at the top level
     */
    Service start(String id, String platforms) {
        String yaml = platforms + """
                providers:
                  main: {type: openai, api_key: test-key-000000, base_url: %s, models: [m]}
                storage:
                  path: %s
                  backend: postgres
                  postgres: {url: "%s", user: postgres, pool_size: 4}
                cluster: {enabled: true, node_id: %s, lease: %s}
                ops: {port: 0, drain_timeout: 10s}
                """.formatted(provider.baseUrl(Api.OPENAI), data.resolve(id).toString().replace("\\", "/"),
                db.url(), id, lease);
        Service service = new Service(new ConfigLoader().parse(yaml, "test.yaml", Map.of()), Clock.systemUTC())
                .start();
        running.add(service);
        return service;
    }

    /** Stops a node as SIGTERM does. */
    void stop(Service node) {
        running.remove(node);
        node.close();
    }

    @Override
    public void close() {
        running.forEach(Service::close);
        running.clear();
    }
}

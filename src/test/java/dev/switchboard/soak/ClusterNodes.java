package dev.switchboard.soak;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Nodes of one bot ({@code cluster.enabled}) as processes of the packaged jar, each through the README's launcher
 * ({@link ServiceProcess}), all on one PostgreSQL database: their configs, their ops ports, and what the database
 * says about their thread leases. Node {@code k} (0-based) is {@code node-<k+1>}. Not thread-safe: one driver.
 */
final class ClusterNodes implements AutoCloseable {

    /** Connections to the test's database, outside the nodes' pools. */
    @FunctionalInterface
    interface Database {
        Connection connect() throws SQLException;
    }

    /** A thread some node holds the lease of, as the {@code conversation} row names it. */
    record Leased(String node, String platform, String channel, String thread) { }

    private final Path repo;
    private final Path dir;
    private final Path logs;
    private final SoakStorage storage;
    private final Database database;
    private final String lease;
    private final IntFunction<String> platforms;
    private final List<ServiceProcess> processes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    /**
     * @param logs where the nodes' logs go (kept after the run, unlike {@code dir})
     * @param lease {@code cluster.lease} ("5s")
     * @param platforms the platform sections of node {@code k}'s config (YAML at the top level)
     */
    ClusterNodes(Path repo, Path dir, Path logs, SoakStorage storage, Database database, String lease, int count,
                 IntFunction<String> platforms) throws IOException {
        this.repo = repo;
        this.dir = dir;
        this.logs = logs;
        Files.createDirectories(logs);
        this.storage = storage;
        this.database = database;
        this.lease = lease;
        this.platforms = platforms;
        for (int k = 0; k < count; k++) {
            try (ServerSocket s = new ServerSocket(0)) {
                ports.add(s.getLocalPort());
            }
            processes.add(null);
        }
    }

    static String id(int k) {
        return "node-" + (k + 1);
    }

    int size() {
        return ports.size();
    }

    /** The ops server's base URL of node {@code k} (where HTTP-mode Slack events go). */
    String url(int k) {
        return "http://127.0.0.1:" + ports.get(k);
    }

    ServiceProcess node(int k) {
        return processes.get(k);
    }

    boolean alive(int k) {
        return processes.get(k) != null && processes.get(k).alive();
    }

    /** Starts node {@code k} (again, on the same config, id and port) and waits until it is ready. */
    ServiceProcess start(int k, String providerYaml) throws IOException {
        Path config = dir.resolve(id(k) + ".yaml");
        Files.writeString(config, platforms.apply(k) + providerYaml + storage.yaml() + "\n"
                + "cluster: {enabled: true, node_id: " + id(k) + ", lease: " + lease + "}\n"
                + "ops: {port: " + ports.get(k) + ", drain_timeout: 10s}\n"
                + "logging: {format: text, level: info}\n");
        ServiceProcess p = new ServiceProcess(repo, config, logs.resolve(id(k) + ".log"), ports.get(k))
                .readyWithin(java.time.Duration.ofMinutes(4));
        processes.set(k, p);
        return p.start();
    }

    /** Which node holds how many thread leases now (live nodes only, most first). */
    Map<String, Integer> leasesByNode() throws SQLException {
        Map<String, Integer> out = new LinkedHashMap<>();
        query("SELECT node_id, count(*) FROM thread_lease WHERE expires_at > now() GROUP BY node_id"
                + " ORDER BY count(*) DESC, node_id", rs -> out.put(rs.getString(1), rs.getInt(2)));
        return out;
    }

    /** The threads node {@code nodeId} holds the leases of now. */
    List<Leased> leasedBy(String nodeId) throws SQLException {
        List<Leased> out = new ArrayList<>();
        try (Connection c = database.connect(); PreparedStatement ps = c.prepareStatement("""
                SELECT c.platform, c.channel, c.thread FROM thread_lease l JOIN conversation c
                ON c.id = l.conversation_id WHERE l.node_id = ?""")) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Leased(nodeId, rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return out;
    }

    /** How many of these platform message ids some node has recorded (and so owns). */
    int recorded(String platform, List<String> ids) throws SQLException {
        try (Connection c = database.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(DISTINCT message_id) FROM seen_message WHERE platform = ? AND message_id = ANY(?)")) {
            ps.setString(1, platform);
            ps.setArray(2, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private void query(String sql, Row row) throws SQLException {
        try (Connection c = database.connect(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                row.accept(rs);
            }
        }
    }

    @FunctionalInterface
    private interface Row {
        void accept(ResultSet rs) throws SQLException;
    }

    /** SIGKILL of whatever still runs (a test that failed half-way). */
    @Override
    public void close() throws InterruptedException {
        for (ServiceProcess p : processes) {
            if (p != null && p.alive()) {
                p.kill();
            }
        }
    }
}

package dev.switchboard.store.postgres;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The rows through which the nodes of a cluster share Discord's shards: the nodes taking part
 * ({@code discord_shard_node}) and the lease on each shard a node runs ({@code discord_shard}). Every time compared
 * here is the database's. Thread-safe; holds nothing beyond the node's id, the shard count and the lease length.
 */
public final class PostgresShards {

    /**
     * What one round sees.
     *
     * @param renewed the shards this node still holds, their leases renewed
     * @param members the nodes taking part now (their row within the lease), this one included, by id
     * @param holders who holds each shard under a lease not yet expired, by shard
     */
    public record View(Set<Integer> renewed, List<String> members, Map<Integer, String> holders) {
        public View {
            renewed = Set.copyOf(renewed);
            members = List.copyOf(members);
            holders = Map.copyOf(holders);
        }
    }

    private final Database database;
    private final String nodeId;
    private final int total;
    private final Duration lease;

    PostgresShards(Database database, String nodeId, int total, Duration lease) {
        if (nodeId == null || nodeId.isBlank()) {
            throw new IllegalArgumentException("a node needs an id");
        }
        if (total < 1) {
            throw new IllegalArgumentException("at least one shard, was " + total);
        }
        this.database = database;
        this.nodeId = nodeId;
        this.total = total;
        this.lease = lease;
    }

    public String nodeId() {
        return nodeId;
    }

    public int total() {
        return total;
    }

    public Duration lease() {
        return lease;
    }

    /**
     * One round in one transaction: this node's membership renewed, the leases of the shards it {@code holds}
     * renewed (those it no longer holds are left out of {@link View#renewed}), and who holds what now.
     */
    public View round(Collection<Integer> holds) {
        return database.inTransaction(QueryKind.CLUSTER, "renewing the Discord shards", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO discord_shard_node (node_id, shard_total, seen_at) VALUES (?, ?, now())
                    ON CONFLICT (node_id) DO UPDATE SET shard_total = EXCLUDED.shard_total, seen_at = now()""")) {
                PgText.setText(ps, 1, nodeId);
                ps.setInt(2, total);
                ps.executeUpdate();
            }
            Set<Integer> renewed = new HashSet<>();
            Array ids = c.createArrayOf("integer", holds.toArray(Integer[]::new));
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE discord_shard SET expires_at = now() + ? * interval '1 millisecond'
                    WHERE shard_total = ? AND node_id = ? AND shard_id = ANY (?) AND expires_at >= now()
                    RETURNING shard_id""")) {
                ps.setLong(1, lease.toMillis());
                ps.setInt(2, total);
                PgText.setText(ps, 3, nodeId);
                ps.setArray(4, ids);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        renewed.add(rs.getInt(1));
                    }
                }
            }
            List<String> members = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT node_id FROM discord_shard_node
                    WHERE shard_total = ? AND seen_at >= now() - ? * interval '1 millisecond' ORDER BY node_id""")) {
                ps.setInt(1, total);
                ps.setLong(2, lease.toMillis());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        members.add(PgText.text(rs, "node_id"));
                    }
                }
            }
            Map<Integer, String> holders = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT shard_id, node_id FROM discord_shard WHERE shard_total = ? AND expires_at >= now()""")) {
                ps.setInt(1, total);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        holders.put(rs.getInt("shard_id"), PgText.text(rs, "node_id"));
                    }
                }
            }
            return new View(renewed, members, holders);
        });
    }

    /**
     * Takes the lease on a shard: granted when no node holds it, this one does, or its holder's lease expired.
     * Atomic: of two nodes asking at once, one gets it.
     *
     * @return whether this node holds it now
     */
    public boolean claim(int shard) {
        return database.inTransaction(QueryKind.CLUSTER, "claiming a Discord shard", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO discord_shard (shard_total, shard_id, node_id, expires_at)
                    VALUES (?, ?, ?, now() + ? * interval '1 millisecond')
                    ON CONFLICT (shard_total, shard_id) DO UPDATE SET node_id = EXCLUDED.node_id,
                        expires_at = EXCLUDED.expires_at
                    WHERE discord_shard.node_id = EXCLUDED.node_id OR discord_shard.expires_at < now()
                    RETURNING shard_id""")) {
                ps.setInt(1, total);
                ps.setInt(2, shard);
                PgText.setText(ps, 3, nodeId);
                ps.setLong(4, lease.toMillis());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** Gives a shard's lease up, if this node holds it: call once its connection is closed. */
    public void release(int shard) {
        database.inTransaction(QueryKind.CLUSTER, "releasing a Discord shard", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM discord_shard WHERE shard_total = ? AND shard_id = ? AND node_id = ?")) {
                ps.setInt(1, total);
                ps.setInt(2, shard);
                PgText.setText(ps, 3, nodeId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** This node stops taking part: every shard lease under its name and its membership go. */
    public void leave() {
        database.inTransaction(QueryKind.CLUSTER, "leaving the Discord shards", c -> {
            for (String sql : new String[] {"DELETE FROM discord_shard WHERE node_id = ?",
                    "DELETE FROM discord_shard_node WHERE node_id = ?"}) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    PgText.setText(ps, 1, nodeId);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }
}

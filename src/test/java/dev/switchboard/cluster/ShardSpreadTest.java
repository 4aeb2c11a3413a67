package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.store.postgres.PostgresShards;
import dev.switchboard.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The shard claiming rules on an in-memory stand-in for the database rows (the same lease semantics as
 * {@code PostgresShards}, times from one manual clock) and runners that fail the test when a shard runs on two nodes
 * at once. Rounds are driven by hand: no scheduler, no waiting.
 */
class ShardSpreadTest {

    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final int TOTAL = 4;

    private final MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
    private final Db db = new Db();
    /** Which node runs each shard now, across every node: a second one fails the test. */
    private final Map<Integer, String> running = new HashMap<>();

    @Test
    void twoNodes_splitFourShards_twoAndTwo() {
        ShardSpread a = node("a");
        a.round();
        assertThat(a.held()).containsExactly(0, 1, 2, 3);

        ShardSpread b = node("b");
        b.round(); // nothing free yet: it is a member now, and a gives up its surplus at its next round
        assertThat(b.held()).isEmpty();
        a.round();
        assertThat(a.held()).containsExactly(0, 1);
        b.round();
        assertThat(b.held()).containsExactly(2, 3);

        for (int i = 0; i < 5; i++) { // stable
            a.round();
            b.round();
        }
        assertThat(a.held()).containsExactly(0, 1);
        assertThat(b.held()).containsExactly(2, 3);
        assertThat(a.describe()).isEqualTo("discord shards 0, 1 of 4");
    }

    @Test
    void aDeadNodesShards_areTakenOver_onlyOnceTheirLeasesLapse() {
        ShardSpread a = node("a");
        ShardSpread b = node("b");
        split(a, b);
        // b dies: no more rounds, nothing released.
        clock.advance(LEASE.minusSeconds(1));
        a.round();
        assertThat(a.held()).containsExactly(0, 1);
        assertThat(running).containsEntry(2, "b").containsEntry(3, "b");

        running.remove(2); // the dead node's connections are gone with it
        running.remove(3);
        clock.advance(Duration.ofSeconds(2));
        a.round();
        assertThat(a.held()).containsExactly(0, 1, 2, 3);
    }

    @Test
    void aNodeThatCloses_handsItsShardsOver_atTheOthersNextRound() {
        ShardSpread a = node("a");
        ShardSpread b = node("b");
        split(a, b);
        b.close();
        assertThat(running).doesNotContainValue("b");
        a.round();
        assertThat(a.held()).containsExactly(0, 1, 2, 3);
    }

    @Test
    void aThirdNode_getsItsShare_fromTheNodesAboveIt() {
        ShardSpread a = node("a");
        ShardSpread b = node("b");
        split(a, b);
        ShardSpread c = node("c");
        for (int i = 0; i < 4; i++) {
            a.round();
            b.round();
            c.round();
        }
        List<Integer> counts = List.of(a.held().size(), b.held().size(), c.held().size());
        assertThat(counts).allSatisfy(n -> assertThat(n).isBetween(1, 2));
        assertThat(counts.stream().mapToInt(Integer::intValue).sum()).isEqualTo(TOTAL);
        assertThat(c.held()).isNotEmpty();

        List<Integer> before = List.of(a.held().size(), b.held().size(), c.held().size());
        for (int i = 0; i < 5; i++) { // no churn once fair
            a.round();
            b.round();
            c.round();
        }
        assertThat(List.of(a.held().size(), b.held().size(), c.held().size())).isEqualTo(before);
    }

    @Test
    void moreNodesThanShards_leaveTheRestIdle() {
        List<ShardSpread> nodes = new ArrayList<>();
        for (String id : List.of("a", "b", "c", "d", "e", "f")) {
            nodes.add(node(id));
        }
        for (int i = 0; i < 4; i++) {
            nodes.forEach(ShardSpread::round);
        }
        assertThat(nodes.stream().mapToInt(n -> n.held().size()).sum()).isEqualTo(TOTAL);
        assertThat(nodes).allSatisfy(n -> assertThat(n.held().size()).isLessThanOrEqualTo(1));
    }

    @Test
    void aNodeThatCannotRenew_closesItsShards_beforeTheirLeasesCouldLapse() {
        ShardSpread a = node("a");
        a.round();
        db.down = true;
        clock.advance(LEASE.dividedBy(2));
        a.round();
        assertThat(a.held()).hasSize(TOTAL); // still well within the lease
        clock.advance(LEASE.dividedBy(4));
        a.round(); // 3/4 of the lease since the last renewal: closed here before anyone may take them
        assertThat(a.held()).isEmpty();
        assertThat(running).isEmpty();

        db.down = false;
        ShardSpread b = node("b");
        clock.advance(LEASE);
        b.round(); // a's membership lapsed with its leases: b is alone
        assertThat(b.held()).hasSize(TOTAL);
    }

    @Test
    void aLeaseFoundLapsed_isClosedHere() {
        ShardSpread a = node("a");
        a.round();
        db.shards.get(3).expires = clock.instant().minusMillis(1); // e.g. the node was paused past its lease
        running.remove(3);
        db.shards.put(3, new Lease("z", clock.instant().plus(LEASE)));
        running.put(3, "z");
        a.round();
        assertThat(a.held()).doesNotContain(3);
    }

    private void split(ShardSpread a, ShardSpread b) {
        a.round();
        b.round();
        a.round();
        b.round();
        assertThat(a.held()).hasSize(2);
        assertThat(b.held()).hasSize(2);
    }

    @Test
    void aShardThatCannotBeOpened_goesBackAtOnce_andTheNodePausesItsClaims() {
        refusing.add("a"); // a's token is refused, or Discord is out of its reach
        ShardSpread a = node("a");
        a.round();
        assertThat(a.held()).isEmpty();
        assertThat(db.shards).as("no lease kept for a shard that does not run").isEmpty();
        assertThat(starts).isEqualTo(1);

        a.round();
        clock.advance(ShardSpread.PAUSE_AFTER_FAILED_START.minusSeconds(1));
        a.round();
        assertThat(starts).as("no claim while paused").isEqualTo(1);

        ShardSpread b = node("b");
        b.round();
        assertThat(b.held()).as("another node opens them meanwhile").containsExactly(0, 1, 2, 3);

        refusing.clear();
        clock.advance(Duration.ofSeconds(2));
        for (int i = 0; i < 3; i++) {
            b.round();
            a.round();
        }
        assertThat(a.held()).as("after the pause it takes its share").hasSize(2);
        assertThat(b.held()).hasSize(2);
    }

    /** Nodes whose shards cannot be opened. */
    private final Set<String> refusing = new HashSet<>();
    private int starts;

    private ShardSpread node(String id) {
        return new ShardSpread(db.rows(id), new ShardRunner() {
            @Override
            public void start(int shard) {
                starts++;
                if (refusing.contains(id)) {
                    throw new IllegalStateException("discord: could not log in (401 Unauthorized)");
                }
                String other = running.putIfAbsent(shard, id);
                assertThat(other).as("shard %d started on %s while %s runs it", shard, id, other).isNull();
            }

            @Override
            public void stop(int shard) {
                running.remove(shard, id);
            }

            @Override
            public boolean running(int shard) {
                return id.equals(running.get(shard));
            }
        }, clock);
    }

    private static final class Lease {
        final String node;
        Instant expires;

        Lease(String node, Instant expires) {
            this.node = node;
            this.expires = expires;
        }
    }

    /** The rows, as PostgresShards keeps them, in memory. */
    private final class Db {
        final Map<Integer, Lease> shards = new TreeMap<>();
        final Map<String, Instant> members = new TreeMap<>();
        boolean down;

        ShardSpread.Rows rows(String node) {
            return new ShardSpread.Rows() {
                @Override
                public String nodeId() {
                    return node;
                }

                @Override
                public int total() {
                    return TOTAL;
                }

                @Override
                public Duration lease() {
                    return LEASE;
                }

                @Override
                public PostgresShards.View round(Collection<Integer> holds) {
                    up();
                    Instant now = clock.instant();
                    members.put(node, now);
                    Set<Integer> renewed = new HashSet<>();
                    for (int shard : holds) {
                        Lease l = shards.get(shard);
                        if (l != null && l.node.equals(node) && !l.expires.isBefore(now)) {
                            l.expires = now.plus(LEASE);
                            renewed.add(shard);
                        }
                    }
                    List<String> live = members.entrySet().stream()
                            .filter(e -> !e.getValue().isBefore(now.minus(LEASE))).map(Map.Entry::getKey).toList();
                    Map<Integer, String> holders = new TreeMap<>();
                    shards.forEach((s, l) -> {
                        if (!l.expires.isBefore(now)) {
                            holders.put(s, l.node);
                        }
                    });
                    return new PostgresShards.View(renewed, live, holders);
                }

                @Override
                public boolean claim(int shard) {
                    up();
                    Instant now = clock.instant();
                    Lease l = shards.get(shard);
                    if (l == null || l.node.equals(node) || l.expires.isBefore(now)) {
                        shards.put(shard, new Lease(node, now.plus(LEASE)));
                        return true;
                    }
                    return false;
                }

                @Override
                public void release(int shard) {
                    up();
                    shards.computeIfPresent(shard, (s, l) -> l.node.equals(node) ? null : l);
                }

                @Override
                public void leave() {
                    up();
                    shards.values().removeIf(l -> l.node.equals(node));
                    members.remove(node);
                }
            };
        }

        private void up() {
            if (down) {
                throw new IllegalStateException("the database is away");
            }
        }
    }
}

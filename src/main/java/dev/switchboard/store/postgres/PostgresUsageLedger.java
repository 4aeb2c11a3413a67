package dev.switchboard.store.postgres;

import dev.switchboard.conversation.UsageLedger;
import dev.switchboard.conversation.UsageRecord;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage as rows of {@code usage_record}, written in order by one thread of the ledger's own so no reply waits for the
 * database; reports see every record handed in before they were asked, and totals are grouped by the database.
 * Times are kept to the microsecond. Thread-safe.
 */
final class PostgresUsageLedger implements UsageLedger, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PostgresUsageLedger.class);
    private static final String COLUMNS =
            "at, platform, workspace, channel, user_id, provider, model, input_tokens, output_tokens, cost_usd,"
                    + " tool_steps";

    private final Database database;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "usage-ledger");
        t.setDaemon(true);
        return t;
    });

    PostgresUsageLedger(Database database) {
        this.database = database;
    }

    @Override
    public void record(UsageRecord usage) {
        try {
            writer.execute(() -> write(usage));
        } catch (RejectedExecutionException closed) {
            write(usage);
        }
    }

    private void write(UsageRecord r) {
        try {
            database.inTransaction(QueryKind.USAGE, "recording usage", c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO usage_record (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    PgText.setInstant(ps, 1, r.at());
                    String[] texts = {r.platform(), r.workspace(), r.channel(), r.user(), r.provider(), r.model()};
                    for (int i = 0; i < texts.length; i++) {
                        PgText.setText(ps, i + 2, texts[i]);
                    }
                    ps.setLong(8, r.inputTokens());
                    ps.setLong(9, r.outputTokens());
                    ps.setDouble(10, r.costUsd());
                    ps.setInt(11, r.toolSteps());
                    return ps.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            log.error("could not record usage of a reply: {}", e.getMessage());
        }
    }

    @Override
    public List<UsageRecord> since(Instant since) {
        drain();
        return database.read(QueryKind.USAGE, "reading usage", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM usage_record WHERE at >= ? ORDER BY at, id")) {
                PgText.setInstant(ps, 1, since);
                List<UsageRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new UsageRecord(PgText.instant(rs, "at"), PgText.text(rs, "platform"),
                                PgText.text(rs, "workspace"), PgText.text(rs, "channel"), PgText.text(rs, "user_id"),
                                PgText.text(rs, "provider"), PgText.text(rs, "model"), rs.getLong("input_tokens"),
                                rs.getLong("output_tokens"), rs.getDouble("cost_usd"), rs.getInt("tool_steps")));
                    }
                }
                return out;
            }
        });
    }

    /** Grouped and summed by the database; only the group's name is put together here. */
    @Override
    public Map<String, Total> totals(Instant since, By by) {
        drain();
        String[] group = switch (by) {
            case PROVIDER -> new String[] {"provider", "model", "/"};
            case CHANNEL -> new String[] {"platform", "channel", " "};
            case USER -> new String[] {"platform", "user_id", " "};
        };
        String sql = "SELECT " + group[0] + " AS a, " + group[1] + " AS b, sum(input_tokens) AS input,"
                + " sum(output_tokens) AS output, sum(cost_usd) AS cost, count(*) AS replies,"
                + " sum(tool_steps) AS tool_steps"
                + " FROM usage_record WHERE at >= ? GROUP BY " + group[0] + ", " + group[1];
        return database.read(QueryKind.USAGE, "summing usage", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                PgText.setInstant(ps, 1, since);
                Map<String, Total> totals = new TreeMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        // Distinct groups can share a name ("a/b" + "c" and "a" + "b/c"): merged as the files do.
                        totals.merge(PgText.text(rs, "a") + group[2] + PgText.text(rs, "b"),
                                new Total(rs.getLong("input"), rs.getLong("output"), rs.getDouble("cost"),
                                        rs.getLong("replies"), rs.getLong("tool_steps")),
                                Total::plus);
                    }
                }
                return totals;
            }
        });
    }

    @Override
    public int forgetUser(String platform, String userId) {
        drain();
        return database.inTransaction(QueryKind.USAGE, "forgetting a user's usage", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE usage_record SET user_id = '' WHERE platform = ? AND user_id = ?")) {
                PgText.setText(ps, 1, platform);
                PgText.setText(ps, 2, userId);
                return ps.executeUpdate();
            }
        });
    }

    /** Waits until every record handed in so far is written. */
    private void drain() {
        try {
            writer.submit(() -> { }).get();
        } catch (RejectedExecutionException closed) {
            // closed: everything was written on the way out
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("usage records still queued at shutdown were not written");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

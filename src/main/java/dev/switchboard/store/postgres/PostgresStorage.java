package dev.switchboard.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import com.zaxxer.hikari.pool.HikariPool;
import dev.switchboard.conversation.AuditLog;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.SettingsStore;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.conversation.UsageLedger;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * Switchboard's state on PostgreSQL: opens a connection pool, brings the schema up to date and hands out every store
 * port on that database. Closing it closes the pool; the ports it handed out stop working. Thread-safe.
 */
public final class PostgresStorage implements AutoCloseable {

    /**
     * How to reach the database.
     *
     * @param url a JDBC URL, {@code jdbc:postgresql://host:port/database}
     * @param user the role to connect as
     * @param password its password; empty for trust or peer authentication
     * @param poolSize connections kept open at most
     * @param statementTimeout longest a statement may run before the server cancels it
     */
    public record Options(String url, String user, String password, int poolSize, Duration statementTimeout) {
        public Options {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(user, "user");
            password = password == null ? "" : password;
            Objects.requireNonNull(statementTimeout, "statementTimeout");
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("the database URL must start with jdbc:postgresql:, was "
                        + where(url));
            }
            if (poolSize < 1 || poolSize > 1_000) {
                throw new IllegalArgumentException("pool size must be between 1 and 1000, was " + poolSize);
            }
            if (statementTimeout.toMillis() < 1) {
                throw new IllegalArgumentException("statement timeout must be at least 1 ms, was " + statementTimeout);
            }
        }

        /** Never shows the password. */
        @Override
        public String toString() {
            return "Options[url=" + where(url) + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "***")
                    + ", poolSize=" + poolSize + ", statementTimeout=" + statementTimeout + "]";
        }
    }

    /**
     * What the conversation store keeps and caches.
     *
     * @param maxTurnChars longest turn text accepted
     * @param recentTurns turns {@code load} returns at most; older ones are counted as archived
     * @param cacheMaxBytes memory the cache of hot conversations may use
     */
    public record Limits(int maxTurnChars, int recentTurns, long cacheMaxBytes) {
        public Limits {
            if (maxTurnChars < 1) {
                throw new IllegalArgumentException("maxTurnChars must be at least 1, was " + maxTurnChars);
            }
            if (recentTurns < 4) {
                throw new IllegalArgumentException("recentTurns must be at least 4, was " + recentTurns);
            }
            if (cacheMaxBytes < 0) {
                throw new IllegalArgumentException("cacheMaxBytes must not be negative, was " + cacheMaxBytes);
            }
        }
    }

    /** How long a caller waits for a free connection before its store call fails. */
    private static final Duration CONNECTION_WAIT = Duration.ofSeconds(5);

    /** How long the health probe may take to connect and get an answer. */
    private static final int PROBE_SECONDS = 2;

    private final HikariDataSource pool;
    /**
     * Whether this process joined a cluster: other nodes then write the same threads, and the conversation stores
     * check a cached thread's version before using it.
     */
    private volatile boolean clustered;
    private final Options options;
    private final Database database;
    private final Clock clock;
    private final MeterRegistry meters;
    private final PostgresUsageLedger usage;

    private PostgresStorage(HikariDataSource pool, Options options, Clock clock, MeterRegistry meters) {
        this.pool = pool;
        this.options = options;
        this.database = new Database(pool, () -> pool.getHikariPoolMXBean().softEvictConnections(), meters);
        this.clock = clock;
        this.meters = meters;
        this.usage = new PostgresUsageLedger(database);
    }

    /**
     * Connects, migrates the schema and returns the storage.
     *
     * @throws StoreException if the database cannot be reached or its schema is newer than this build knows; the
     *     message says which and names the database, never the password
     */
    public static PostgresStorage open(Options options, Clock clock, MeterRegistry meters) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("switchboard-store");
        config.setJdbcUrl(options.url());
        config.setUsername(options.user());
        config.setPassword(options.password());
        config.setMaximumPoolSize(options.poolSize());
        config.setConnectionTimeout(CONNECTION_WAIT.toMillis());
        config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(meters));
        config.addDataSourceProperty("ApplicationName", "switchboard");
        config.addDataSourceProperty("options", "-c statement_timeout=" + options.statementTimeout().toMillis());
        // Server error details quote the offending values, which may be a user's text: keep them out of messages.
        config.addDataSourceProperty("logServerErrorDetail", "false");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        // A network that drops packets silently must not hang a caller: the server's timeout plus a margin.
        config.addDataSourceProperty("socketTimeout",
                String.valueOf(options.statementTimeout().toSeconds() + 30));
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StoreException("cannot connect to PostgreSQL at " + where(options.url()) + " as "
                    + options.user() + ": " + cause.getMessage(), e);
        }
        try {
            Schema.migrate(pool, where(options.url()));
        } catch (RuntimeException e) {
            pool.close();
            throw e instanceof StoreException ? e : new StoreException("cannot bring the schema of "
                    + where(options.url()) + " up to date: " + e.getMessage(), e);
        }
        return new PostgresStorage(pool, options, clock, meters);
    }

    /** A conversation store with a cache of its own; the database is the truth. */
    public ConversationStore conversations(Limits limits) {
        return new PostgresConversationStore(database, limits, clock, meters, () -> clustered);
    }

    public SettingsStore settings() {
        return new PostgresSettingsStore(database, clock);
    }

    public AuditLog auditLog() {
        return new PostgresAuditLog(database);
    }

    /**
     * This node's part in a cluster of nodes sharing the database: heartbeats and thread leases.
     *
     * @param nodeId this node's id, unique among the nodes
     * @param lease how long a heartbeat or a thread's lease counts without being renewed
     */
    public PostgresCluster cluster(String nodeId, Duration lease) {
        clustered = true;
        return new PostgresCluster(database, nodeId, lease);
    }

    /** The users' allowances of new messages, shared by the nodes on this database. */
    public dev.switchboard.conversation.UserAllowances userAllowances() {
        return new PostgresUserAllowances(database);
    }

    /**
     * Signals between the nodes sharing the database, sent and heard as {@code nodeId}; started, and closed by the
     * caller.
     */
    public PostgresSignals signals(String nodeId) {
        return new PostgresSignals(database, nodeId, () -> listeningConnection(nodeId)).start();
    }

    /** Named for its node in {@code pg_stat_activity}, so an operator sees which node listens where. */
    private Connection listeningConnection(String nodeId) {
        Properties properties = new Properties();
        properties.setProperty("user", options.user());
        properties.setProperty("password", options.password());
        properties.setProperty("connectTimeout", String.valueOf(PROBE_SECONDS));
        properties.setProperty("tcpKeepAlive", "true");
        String name = "switchboard-signals " + nodeId;
        properties.setProperty("ApplicationName", name.length() > 63 ? name.substring(0, 63) : name);
        try {
            return DriverManager.getConnection(options.url(), properties);
        } catch (SQLException e) {
            throw new StoreException("cannot connect to PostgreSQL at " + where(options.url()) + " to listen for"
                    + " the other nodes: " + Database.describe(e), e);
        }
    }

    /**
     * This node's part in sharing Discord's {@code total} shards with the other nodes.
     *
     * @param lease how long a shard's lease and a node's membership count without being renewed
     */
    public PostgresShards shards(String nodeId, int total, Duration lease) {
        return new PostgresShards(database, nodeId, total, lease);
    }

    /** The bot's Discord IDENTIFY turns, shared by every node of this database, {@code spacing} apart per bucket. */
    public PostgresIdentifyTurns identifyTurns(Duration spacing) {
        return new PostgresIdentifyTurns(database, spacing);
    }

    /** The usage ledger; one per storage, as it writes from a thread of its own. */
    public UsageLedger usageLedger() {
        return usage;
    }

    /**
     * Whether the database answers now. Uses a connection of its own, outside the pool, so a pool busy with slow
     * statements does not read as a database that is down, and a database that is down answers within a few seconds
     * rather than the pool's wait for a connection.
     *
     * @return empty when it answers, else why not in a few words (never the password)
     */
    public Optional<String> problem() {
        Properties properties = new Properties();
        properties.setProperty("user", options.user());
        properties.setProperty("password", options.password());
        properties.setProperty("connectTimeout", String.valueOf(PROBE_SECONDS));
        properties.setProperty("loginTimeout", String.valueOf(PROBE_SECONDS));
        properties.setProperty("socketTimeout", String.valueOf(PROBE_SECONDS + 1));
        properties.setProperty("ApplicationName", "switchboard-health");
        try (Connection c = DriverManager.getConnection(options.url(), properties)) {
            if (!c.isValid(PROBE_SECONDS)) {
                return Optional.of("no answer within " + PROBE_SECONDS + "s");
            }
            database.reachable(); // what readiness reports, the store's calls do too
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of(Database.describe(e));
        }
    }

    /** Writes the usage still queued, then closes every connection. */
    @Override
    public void close() {
        usage.close();
        pool.close();
    }

    /** The URL without its query, which may carry a password. */
    static String where(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }
}

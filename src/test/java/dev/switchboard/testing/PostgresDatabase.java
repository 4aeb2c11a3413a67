package dev.switchboard.testing;

import dev.switchboard.store.postgres.PostgresStorage;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh, uniquely named database on the machine's PostgreSQL for each test, dropped after it: register with
 * {@code @RegisterExtension}. The server is {@code 127.0.0.1:5432} with trust authentication for {@code postgres}
 * (the system property {@code switchboard.test.postgres} names another {@code host:port}); {@code .ci/run} starts it.
 * Not thread-safe: one per test class instance.
 */
public final class PostgresDatabase implements BeforeEachCallback, AfterEachCallback {

    private static final String SERVER = System.getProperty("switchboard.test.postgres", "127.0.0.1:5432");
    private static final String USER = "postgres";

    private String name;

    @Override
    public void beforeEach(ExtensionContext context) throws SQLException {
        name = "switchboard_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection admin = admin(); Statement s = admin.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws SQLException {
        try (Connection admin = admin(); Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    /** The JDBC URL of this test's database. */
    public String url() {
        return "jdbc:postgresql://" + SERVER + "/" + name;
    }

    public String name() {
        return name;
    }

    /** Options for a storage on this test's database: a small pool, a generous statement timeout. */
    public PostgresStorage.Options options() {
        return new PostgresStorage.Options(url(), USER, "", 4, Duration.ofSeconds(30));
    }

    /** A connection to this test's database of the test's own, outside any storage's pool. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), USER, "");
    }

    /** Runs SQL on this test's database, as the superuser. */
    public void execute(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Ends every session on this test's database, as an administrator or a server restart would. @return how many */
    public int terminateConnections() throws SQLException {
        try (Connection admin = admin(); Statement s = admin.createStatement();
             var rs = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '"
                     + name + "' AND pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Connection admin() throws SQLException {
        try {
            return DriverManager.getConnection("jdbc:postgresql://" + SERVER + "/postgres", USER, "");
        } catch (SQLException e) {
            throw new SQLException("PostgreSQL is not reachable at " + SERVER + " as " + USER + " (" + e.getMessage()
                    + "); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
                    + " (.ci/run does this)", e);
        }
    }
}

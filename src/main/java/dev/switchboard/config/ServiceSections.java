package dev.switchboard.config;

import static dev.switchboard.config.Values.copy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The sections about the service itself: {@code storage}, {@code operators}, {@code ops} and {@code logging}. Reached as
 * {@code SwitchboardConfig.Storage} and so on (see {@link PlatformSections}). Immutable.
 */
public interface ServiceSections {

    /**
     * Where and how conversations are kept.
     *
     * @param path the data folder
     * @param fsync whether each write reaches the disk before it is acknowledged
     * @param backups whether the previous version of each file is kept
     * @param maxTurnChars longest message kept; longer ones are refused with a clear reply
     * @param maxTurnsPerFile turns in a thread's current file before older ones roll into an archive
     * @param cacheMaxSize memory for hot conversations
     * @param retention delete threads untouched for this long; 0 keeps them forever
     * @param backend where the state lives: the data folder (default) or a PostgreSQL database
     * @param postgres the database, used when {@code backend} is {@code postgres}
     */
    public record Storage(Path path, Boolean fsync, Boolean backups, Integer maxTurnChars, Integer maxTurnsPerFile,
                          DataSize cacheMaxSize, Duration retention, Backend backend, Postgres postgres) {
        public Storage {
            backend = backend != null ? backend : Backend.FILES;
            postgres = postgres != null ? postgres : new Postgres(null, null, null, null, null);
            path = path != null ? path : Path.of("conversations");
            fsync = fsync != null ? fsync : Boolean.TRUE;
            backups = backups != null ? backups : Boolean.TRUE;
            maxTurnChars = maxTurnChars != null ? maxTurnChars : 40_000;
            maxTurnsPerFile = maxTurnsPerFile != null ? maxTurnsPerFile : 128;
            cacheMaxSize = cacheMaxSize != null ? cacheMaxSize : new DataSize(64L << 20);
            retention = retention != null ? retention : Duration.ZERO;
            if (maxTurnChars < 1) {
                throw new ConfigValueException("max_turn_chars", "must be at least 1", "write e.g. 40000");
            }
            if (maxTurnsPerFile < 4) {
                throw new ConfigValueException("max_turns_per_file", "must be at least 4", "write e.g. 128");
            }
            if (retention.isNegative()) {
                throw new ConfigValueException("retention", "must not be negative", "write 0 to keep forever, or 90d");
            }
        }
    }

    /** Where the state lives. */
    public enum Backend {
        /** JSON files in the data folder: nothing to install. */
        FILES,
        /** A PostgreSQL database, {@code storage.postgres}. */
        POSTGRES;

        @com.fasterxml.jackson.annotation.JsonValue
        String yaml() {
            return name().toLowerCase(Locale.ROOT);
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        static Backend parse(String value) {
            return Values.lowerCaseEnum(Backend.class, value);
        }
    }

    /**
     * The PostgreSQL database of {@code storage.backend: postgres}.
     *
     * @param url a JDBC URL, {@code jdbc:postgresql://host:5432/database}; empty when not configured
     * @param user the role to connect as
     * @param password its password, through {@code ${VAR}}; empty for trust or peer authentication
     * @param poolSize connections kept open at most
     * @param statementTimeout longest a statement may run before the server cancels it
     */
    public record Postgres(String url, String user, Secret password, Integer poolSize, Duration statementTimeout) {
        public Postgres {
            url = url != null ? url.strip() : "";
            user = user != null ? user.strip() : "switchboard";
            password = password != null ? password : Secret.none();
            poolSize = poolSize != null ? poolSize : 10;
            statementTimeout = Values.positive("statement_timeout", statementTimeout, Duration.ofSeconds(30));
            if (!url.isEmpty() && !url.startsWith("jdbc:postgresql:")) {
                throw new ConfigValueException("url", "must be a JDBC URL starting with jdbc:postgresql:",
                        "write e.g. jdbc:postgresql://127.0.0.1:5432/switchboard");
            }
            if (url.contains("password=")) {
                throw new ConfigValueException("url", "carries a password", "remove it from the URL and set"
                        + " storage.postgres.password: ${SWITCHBOARD_DB_PASSWORD} instead");
            }
            if (user.isEmpty()) {
                throw new ConfigValueException("user", "is empty", "write e.g. user: switchboard");
            }
            if (poolSize < 1 || poolSize > 1_000) {
                throw new ConfigValueException("pool_size", "must be between 1 and 1000, was " + poolSize,
                        "write e.g. pool_size: 10");
            }
        }
    }

    /** Who may run admin commands. */
    public record Operators(List<String> slackUsers, List<String> discordUsers, List<String> discordRoles) {
        public Operators {
            slackUsers = copy(slackUsers);
            discordUsers = copy(discordUsers);
            discordRoles = copy(discordRoles);
        }
    }

    /**
     * The operations HTTP server: health, readiness, metrics, status page, Slack HTTP mode.
     *
     * @param enabled whether it runs
     * @param bind the address to listen on; loopback by default
     * @param port the port; 0 picks a free one
     * @param token a bearer token required on everything but /healthz; empty for none
     * @param drainTimeout on SIGTERM, how long replies in progress may take to finish before they are interrupted
     */
    public record Ops(Boolean enabled, String bind, Integer port, Secret token, Duration drainTimeout) {
        public Ops {
            drainTimeout = drainTimeout != null ? drainTimeout : Duration.ofSeconds(30);
            if (drainTimeout.isNegative()) {
                throw new ConfigValueException("drain_timeout", "must not be negative", "write e.g. 30s, or 0s");
            }
            enabled = enabled != null ? enabled : Boolean.TRUE;
            bind = bind != null ? bind.strip() : "127.0.0.1";
            port = port != null ? port : 8080;
            token = token != null ? token : Secret.none();
            if (port < 0 || port > 65_535) {
                throw new ConfigValueException("port", "must be between 0 and 65535, was " + port, "write e.g. 8080");
            }
            if (bind.isEmpty()) {
                throw new ConfigValueException("bind", "is empty", "write 127.0.0.1, or 0.0.0.0 in a container");
            }
            if (token.isPresent() && token.reveal().length() < 16) {
                throw new ConfigValueException("token", "is shorter than 16 characters",
                        "use a long random value, e.g. the output of: openssl rand -hex 24");
            }
        }
    }

    /** 👍 / 👎 on answers: the buttons (Slack, Discord) and {@code /good}, {@code /bad} (the shell); on by default. */
    public record Feedback(Boolean enabled) {
        public Feedback {
            enabled = enabled != null ? enabled : Boolean.TRUE;
        }
    }

    /**
     * Files that come with messages (images, text and code, PDFs).
     *
     * @param enabled whether files are read at all; off: they are named as not read
     * @param maxBytes the largest file read (reading stops there, whatever the platform declares)
     * @param maxMessageBytes all files of one message together
     * @param maxImages images read from one message
     * @param downloadTimeout how long one file's download may take
     * @param maxImagePixels the largest image (width × height) decoded; larger ones are refused unread
     * @param maxPdfPages the longest PDF read
     * @param keep whether files are kept with the thread (false: used for the answer, then dropped)
     */
    public record Attachments(Boolean enabled, DataSize maxBytes, DataSize maxMessageBytes, Integer maxImages,
                              Duration downloadTimeout, Long maxImagePixels, Integer maxPdfPages, Boolean keep) {
        public Attachments {
            enabled = enabled != null ? enabled : Boolean.TRUE;
            maxBytes = maxBytes != null ? maxBytes : new DataSize(20L << 20);
            maxMessageBytes = maxMessageBytes != null ? maxMessageBytes : new DataSize(50L << 20);
            maxImages = maxImages != null ? maxImages : 10;
            downloadTimeout = downloadTimeout != null ? downloadTimeout : Duration.ofSeconds(60);
            maxImagePixels = maxImagePixels != null ? maxImagePixels : 50_000_000L;
            maxPdfPages = maxPdfPages != null ? maxPdfPages : 300;
            keep = keep != null ? keep : Boolean.TRUE;
            if (maxBytes.bytes() < 1 || maxMessageBytes.bytes() < 1) {
                throw new ConfigValueException("max_bytes", "must be positive", "write e.g. max_bytes: 20MB");
            }
            if (maxImages < 0) {
                throw new ConfigValueException("max_images", "must not be negative", "write e.g. max_images: 10");
            }
            if (downloadTimeout.isZero() || downloadTimeout.isNegative()) {
                throw new ConfigValueException("download_timeout", "must be positive", "write e.g. 60s");
            }
            if (maxImagePixels < 1 || maxPdfPages < 1) {
                throw new ConfigValueException("max_image_pixels", "and max_pdf_pages must be positive",
                        "write e.g. max_image_pixels: 50000000, max_pdf_pages: 300");
            }
        }
    }

    /** Log output: {@code json} lines (default) or a readable {@code text} pattern, and the level. */
    public record Logging(String format, String level) {
        public Logging {
            format = format != null ? format.strip().toLowerCase(Locale.ROOT) : "json";
            level = level != null ? level.strip().toUpperCase(Locale.ROOT) : "INFO";
            if (!format.equals("json") && !format.equals("text")) {
                throw new ConfigValueException("format", "must be json or text, was \"" + format + "\"",
                        "write format: json");
            }
            if (!List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(level)) {
                throw new ConfigValueException("level", "must be trace, debug, info, warn or error", "write level: info");
            }
        }
    }
}

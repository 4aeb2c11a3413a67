package dev.switchboard.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every admin action, append-only: one JSON line per action (when, platform, who, what, result) in
 * {@code <data>/.audit/audit.jsonl}, forced to disk before the action's answer is shown. Thread-safe.
 */
public final class AuditLog implements AutoCloseable {

    private final ObjectMapper json = new ObjectMapper();
    private final FileChannel file;
    private final boolean fsync;

    public AuditLog(Path dataFolder, boolean fsync) {
        this.fsync = fsync;
        try {
            Path folder = Files.createDirectories(dataFolder.resolve(".audit"));
            this.file = FileChannel.open(folder.resolve("audit.jsonl"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("the audit log cannot be opened in " + dataFolder, e);
        }
    }

    /** Writes one entry; the action counts as done only once this returns. */
    public synchronized void record(Instant at, String platform, String userId, String command, String result) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("at", at.toString());
        entry.put("platform", platform);
        entry.put("user", userId);
        entry.put("command", command);
        entry.put("result", result);
        try {
            ByteBuffer line = ByteBuffer.wrap((json.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8));
            while (line.hasRemaining()) {
                file.write(line);
            }
            if (fsync) {
                file.force(false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the audit log could not be written", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            file.close();
        } catch (IOException e) {
            // nothing more can be done: every entry was forced when written
        }
    }
}

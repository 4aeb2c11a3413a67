package dev.switchboard.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.conversation.AuditLog;
import dev.switchboard.conversation.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.switchboard.json.Json;

/**
 * The audit log as JSON lines (when, platform, who, what, result) in {@code <data>/.audit/audit.jsonl}, opened for
 * appending only and forced to disk before {@link #record} returns. Thread-safe.
 */
public final class JsonLinesAuditLog implements AuditLog, AutoCloseable {

    private final ObjectMapper json = Json.plain();
    private final FileChannel file;
    private final boolean fsync;
    private final Path path;

    public JsonLinesAuditLog(Path dataFolder, boolean fsync) {
        this.fsync = fsync;
        try {
            Path folder = dataFolder.resolve(".audit");
            AtomicFiles.ensureDirectory(folder, fsync);
            this.path = folder.resolve("audit.jsonl");
            this.file = FileChannel.open(path, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new StoreException("the audit log cannot be opened in " + dataFolder, e);
        }
    }

    @Override
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
            throw new StoreException("the audit log could not be written", e);
        }
    }

    @Override
    public synchronized List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        try (java.io.BufferedReader lines = java.nio.file.Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                com.fasterxml.jackson.databind.JsonNode n = json.readTree(line);
                entries.add(new Entry(Instant.parse(n.path("at").asText()), n.path("platform").asText(),
                        n.path("user").asText(), n.path("command").asText(), n.path("result").asText()));
            }
        } catch (IOException | RuntimeException e) {
            throw new StoreException("the audit log " + path + " could not be read", e);
        }
        return entries;
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

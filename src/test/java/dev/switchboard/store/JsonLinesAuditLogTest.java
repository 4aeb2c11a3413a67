package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.conversation.AuditLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit contract on {@code <data>/.audit/audit.jsonl}. */
class JsonLinesAuditLogTest extends AuditLogContract {

    @TempDir
    Path dir;

    @Override
    protected AuditLog open() {
        return new JsonLinesAuditLog(dir, true);
    }

    @Override
    protected void close(AuditLog log) {
        ((JsonLinesAuditLog) log).close();
    }

    @Override
    protected List<Map<String, String>> entries() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : Files.readAllLines(file())) {
            out.add(json.readValue(line, new TypeReference<Map<String, String>>() { }));
        }
        return out;
    }

    private Path file() {
        return dir.resolve(".audit").resolve("audit.jsonl");
    }

    @Test
    void record_writesOneLinePerEntry() throws Exception {
        try (JsonLinesAuditLog log = new JsonLinesAuditLog(dir, true)) {
            log.record(java.time.Instant.EPOCH, "slack", "U1", "status", "ok");
            log.record(java.time.Instant.EPOCH, "slack", "U1", "status", "ok");
        }

        assertThat(Files.readAllLines(file())).hasSize(2)
                .allSatisfy(l -> assertThat(l).startsWith("{\"at\":\"1970-01-01T00:00:00Z\",\"platform\":\"slack\""));
    }
}

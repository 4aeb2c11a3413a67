package dev.switchboard.store;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import dev.switchboard.json.Json;

/**
 * Reads and writes the store's files: a JSON envelope holding a schema version, the kind of document, the body and a
 * CRC32C of the body's exact bytes.
 *
 * <pre>{"schema":1,"kind":"conversation","body":{...},"crc32c":"89ab01cd"}</pre>
 *
 * <p>A file that does not parse, lacks a field or whose checksum does not match is {@link CorruptFileException}; a
 * file from a newer schema is refused without being called corrupt, so a downgrade never quarantines good data.
 * Thread-safe.
 */
final class DocumentCodec {

    /**
     * The newest schema this build reads and writes. 2 adds summary turns ({@code "role":"SUMMARY"} with a
     * {@code summary} object); a document without one is still written as schema 1, so only threads that hold a
     * summary are refused (not quarantined) by a build that predates them.
     */
    static final int SCHEMA = 2;

    private final ObjectMapper mapper;

    DocumentCodec() {
        this.mapper = Json.documents();
    }

    ObjectMapper mapper() {
        return mapper;
    }

    byte[] encode(String kind, Object body) {
        return encode(kind, body, 1);
    }

    /** The schema a document of these turns needs: 2 once it holds a summary turn, else 1. */
    static int schemaFor(java.util.List<dev.switchboard.conversation.Turn> turns) {
        return turns.stream().anyMatch(t -> t.role() == dev.switchboard.conversation.Role.SUMMARY) ? 2 : 1;
    }

    byte[] encode(String kind, Object body, int schema) {
        try {
            byte[] json = mapper.writeValueAsBytes(body);
            CRC32C crc = new CRC32C();
            crc.update(json);
            ByteArrayOutputStream out = new ByteArrayOutputStream(json.length + 96);
            out.writeBytes(("{\"schema\":" + schema + ",\"kind\":\"" + kind + "\",\"body\":")
                    .getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(json);
            out.writeBytes((",\"crc32c\":\"" + String.format("%08x", crc.getValue()) + "\"}\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("a stored value could not be written as JSON", e);
        }
    }

    <T> T decode(byte[] bytes, String expectedKind, Class<T> type) throws CorruptFileException {
        int schema = -1;
        String kind = null;
        String checksum = null;
        int bodyStart = -1;
        int bodyEnd = -1;
        try (JsonParser p = mapper.getFactory().createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new CorruptFileException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "schema" -> {
                        schema = p.getIntValue();
                        if (schema > SCHEMA) {
                            // Decided before the rest is read: a newer file is never called corrupt.
                            throw new UnsupportedSchemaException(schema);
                        }
                    }
                    case "kind" -> kind = p.getText();
                    case "crc32c" -> checksum = p.getText();
                    case "body" -> {
                        if (value != JsonToken.START_OBJECT) {
                            throw new CorruptFileException("body is not an object");
                        }
                        bodyStart = (int) p.currentTokenLocation().getByteOffset();
                        p.skipChildren();
                        bodyEnd = (int) p.currentTokenLocation().getByteOffset() + 1;
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new CorruptFileException("trailing data after the document");
            }
        } catch (UnsupportedSchemaException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CorruptFileException("does not parse: " + e.getMessage());
        }
        if (schema < 1 || kind == null || checksum == null || bodyStart < 0) {
            throw new CorruptFileException("missing schema, kind, body or crc32c");
        }
        if (!kind.equals(expectedKind)) {
            throw new CorruptFileException("holds a " + kind + ", expected a " + expectedKind);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, bodyStart, bodyEnd - bodyStart);
        if (!String.format("%08x", crc.getValue()).equals(checksum)) {
            throw new CorruptFileException("checksum mismatch");
        }
        try {
            return mapper.readValue(bytes, bodyStart, bodyEnd - bodyStart, type);
        } catch (IOException | RuntimeException e) {
            throw new CorruptFileException("body does not match the schema: " + e.getMessage());
        }
    }

    /** The file is damaged; the store quarantines it and serves the backup. */
    static final class CorruptFileException extends Exception {
        CorruptFileException(String message) {
            super(message);
        }
    }

    /** The file was written by a newer Switchboard; it is left untouched. */
    static final class UnsupportedSchemaException extends RuntimeException {
        UnsupportedSchemaException(int schema) {
            super("written with schema " + schema + " by a newer Switchboard; this one reads up to " + SCHEMA);
        }
    }
}

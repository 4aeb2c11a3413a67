package dev.switchboard.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The JSON dialects Switchboard reads and writes, each configured once and shared: a Jackson mapper is thread-safe
 * once built, and one configuration per dialect keeps every file of a kind alike. Never reconfigure a mapper taken
 * from here; derive an {@code ObjectWriter} or {@code ObjectReader} for a per-use difference.
 */
public final class Json {

    private static final ObjectMapper PLAIN = JsonMapper.builder().build();

    private static final ObjectMapper DOCUMENTS = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {
    }

    /** Trees and records under their own field names: the status JSON, provider streams, audit lines, settings. */
    public static ObjectMapper plain() {
        return PLAIN;
    }

    /**
     * What Switchboard keeps and hands out about conversations: snake_case fields, ISO-8601 times and durations, no
     * nulls, and fields from a newer version ignored on reading. The store's files, the usage ledger, exports.
     */
    public static ObjectMapper documents() {
        return DOCUMENTS;
    }
}

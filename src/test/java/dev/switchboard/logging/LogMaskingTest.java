package dev.switchboard.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Logs through the shipped logback.xml in both formats and checks that no secret gets out. */
class LogMaskingTest {

    private static final String CONFIGURED = "my-configured-secret-value";
    private static final String[] SHAPED = {
        "xoxb-123456789012-123456789012-AbCdEfGhIjKlMnOpQrStUvWx",
        "xapp-1-A0123456789-1234567890123-abcdef0123456789",
        "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
        "sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
        "AIzaSyA-abcdefghijklmnopqrstuvwxyz12345",
        "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB",
    };

    private final PrintStream realOut = System.out;

    @AfterEach
    void restore() {
        System.setOut(realOut);
        LogSetup.apply("text", "INFO", Set.of());
    }

    private String capture(String format, Runnable logging) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        LogSetup.apply(format, "INFO", Set.of(CONFIGURED));
        logging.run();
        // Reconfiguring stops the asynchronous appender, which first writes out what it queued.
        LogSetup.apply(format, "INFO", Set.of(CONFIGURED));
        System.setOut(realOut);
        return buffer.toString(StandardCharsets.UTF_8);
    }

    private static void logEverySecret() {
        Logger log = LoggerFactory.getLogger("masking-test");
        MDC.put("conversation", "slack:T1/C1/" + CONFIGURED);
        try {
            log.info("configured value {} in a message", CONFIGURED);
            for (String token : SHAPED) {
                log.warn("provider said: invalid key {}", token);
            }
            log.info("header Authorization: Bearer abcdefghijklmnop0123 was refused");
            log.error("request failed", new IllegalStateException("auth failed for " + SHAPED[0]));
        } finally {
            MDC.clear();
        }
    }

    @Test
    void jsonLines_carryNoSecret() throws Exception {
        String output = capture("json", LogMaskingTest::logEverySecret);

        assertThat(output).isNotBlank();
        for (String line : output.split("\n")) {
            JsonNode json = new ObjectMapper().readTree(line);
            assertThat(json.has("ts")).isTrue();
            assertThat(json.has("level")).isTrue();
        }
        assertNoSecret(output);
        assertThat(output).contains("\"conversation\":\"slack:T1/C1/" + SecretMasker.MASK + "\"");
        assertThat(output).contains("stack_trace");
    }

    @Test
    void textLines_carryNoSecret() {
        String output = capture("text", LogMaskingTest::logEverySecret);

        assertThat(output).contains("configured value " + SecretMasker.MASK).contains("IllegalStateException");
        assertNoSecret(output);
    }

    private static void assertNoSecret(String output) {
        assertThat(output).doesNotContain(CONFIGURED).doesNotContain("abcdefghijklmnop0123");
        for (String token : SHAPED) {
            assertThat(output).doesNotContain(token);
        }
    }
}

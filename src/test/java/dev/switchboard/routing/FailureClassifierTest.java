package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InvalidRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The failure classes of what providers say, independent of the client that carried it. */
class FailureClassifierTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"error\":\"the input length exceeds the context length\"}",
            "{\"error\":\"input length exceeds maximum context length\"}",
            "{\"error\":\"context length exceeded\"}",
            "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.",
            "The prompt (total length 5000) is longer than the model's maximum context length",
            "the request exceeds the available context size, try increasing it",
            "{\"type\":\"exceed_context_size_error\"}",
            "Input length 6491 exceeds context length 1500",
            "{\"code\":\"context_length_exceeded\"}",
            "prompt is too long: 210000 tokens > 200000 maximum",
            "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."})
    void classify_contextLengthWordings_areContextTooLong(String body) {
        assertThat(FailureClassifier.classify(new HttpException(400, body), 400, null))
                .isEqualTo(new Failure.ContextTooLong());
        assertThat(FailureClassifier.classify(new InvalidRequestException(body), 0, null))
                .isEqualTo(new Failure.ContextTooLong());
    }

    @Test
    void classify_otherBadRequests_stayBadRequests() {
        assertThat(FailureClassifier.classify(new HttpException(400, "{\"error\":\"invalid option: num_ctx\"}"),
                400, null)).isInstanceOf(Failure.BadRequest.class);
    }

    @Test
    void classify_aChunkTheClientCouldNotRead_isMalformedNotALostConnection() throws Exception {
        Exception unreadable;
        try {
            new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"choices\":[{\"delta\":");
            throw new AssertionError("the chunk parsed");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            unreadable = e;
        }
        assertThat(FailureClassifier.classify(unreadable, 0, null)).isEqualTo(new Failure.Malformed());
        assertThat(FailureClassifier.classify(new RuntimeException(unreadable), 0, null))
                .isEqualTo(new Failure.Malformed());
        assertThat(FailureClassifier.classify(new java.io.IOException("Connection reset"), 0, null))
                .isInstanceOf(Failure.ConnectionFailed.class);
    }
}

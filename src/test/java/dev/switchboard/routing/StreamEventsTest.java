package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.http.client.sse.ServerSentEvent;
import org.junit.jupiter.api.Test;

/** What the tap reads in a stream's events before LangChain4j does. */
class StreamEventsTest {

    @Test
    void classify_anErrorInsideTheStream_isTheProvidersTroubleUnlessItSaysOtherwise() {
        assertThat(StreamEvents.classify("{\"error\":{\"type\":\"api_error\"}}")).isEqualTo(new Failure.ServerError(0));
        assertThat(StreamEvents.classify("{\"error\":\"llama runner process has terminated\"}"))
                .isEqualTo(new Failure.ServerError(0));
        assertThat(StreamEvents.classify("{\"error\":{\"type\":\"overloaded_error\"}}"))
                .isInstanceOf(Failure.Overloaded.class);
        assertThat(StreamEvents.classify("{\"error\":{\"status\":\"RESOURCE_EXHAUSTED\"}}"))
                .isEqualTo(new Failure.RateLimited(null));
    }

    @Test
    void read_eachFormatsErrorAndUnreadableChunks() {
        assertThat(StreamEvents.read(new ServerSentEvent("error", "{\"type\":\"error\",\"error\":{}}")))
                .isInstanceOf(StreamEvents.Verdict.ProviderError.class);
        assertThat(StreamEvents.read(new ServerSentEvent(null, "{\"error\":\"boom\"}")))
                .isInstanceOf(StreamEvents.Verdict.ProviderError.class);
        assertThat(StreamEvents.read(new ServerSentEvent(null, "{\"model\":")))
                .as("a chunk that cannot hold an error is left to LangChain4j's own parse, which reports it")
                .isInstanceOf(StreamEvents.Verdict.Readable.class);
        assertThat(StreamEvents.read(new ServerSentEvent(null, "{\"error\":{\"message\":")))
                .isInstanceOf(StreamEvents.Verdict.Unreadable.class);
        assertThat(StreamEvents.read(new ServerSentEvent(null, "[DONE]")))
                .isInstanceOf(StreamEvents.Verdict.Readable.class);
        assertThat(StreamEvents.read(new ServerSentEvent(null, "{\"choices\":[],\"error\":null}")))
                .isInstanceOf(StreamEvents.Verdict.Readable.class);
        assertThat(StreamEvents.read(new ServerSentEvent(null, "{\"choices\":[{\"delta\":{\"error\":1}}]}")))
                .as("an \"error\" deeper in the chunk is text, not the provider's error")
                .isInstanceOf(StreamEvents.Verdict.Readable.class);
        assertThat(StreamEvents.read(new ServerSentEvent(null, "{\"choices\":[{\"delta\":{\"error\":")))
                .isInstanceOf(StreamEvents.Verdict.Unreadable.class);
        assertThat(StreamEvents.read(new ServerSentEvent(null, "[\"error\", 2]")))
                .isInstanceOf(StreamEvents.Verdict.Unreadable.class);
        String quoted = "{\"choices\":[{\"delta\":{\"content\":\"an \\\"error\\\"\"}}]}";
        assertThat(StreamEvents.read(new ServerSentEvent(null, quoted)))
                .as("quoted words in the text do not make a chunk look like an error")
                .isInstanceOf(StreamEvents.Verdict.Readable.class);
        assertThat(StreamEvents.read(new ServerSentEvent(null, "{\"id\":\"x\",\"error\":{\"message\":\"m\"}}")))
                .isInstanceOf(StreamEvents.Verdict.ProviderError.class);
    }
}

package dev.switchboard.routing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.switchboard.json.Json;
import java.io.IOException;

/**
 * Reads each event of a provider's stream before LangChain4j does, so that one fault gets one class whatever the wire
 * format: LangChain4j reacts to an error event differently per provider (it skips some, ends the stream on others,
 * fails on others still). Stateless.
 */
final class StreamEvents {

    private static final ObjectMapper JSON = Json.plain();

    /** What an event says. */
    sealed interface Verdict {
        /** A chunk of the answer, or a keep-alive: LangChain4j reads it. */
        record Readable() implements Verdict { }

        /** Not JSON: the text would have a hole in it. */
        record Unreadable() implements Verdict { }

        /** The provider reported an error inside the stream; {@code body} as it sent it. */
        record ProviderError(String body) implements Verdict { }
    }

    private static final Verdict READABLE = new Verdict.Readable();

    private StreamEvents() {
    }

    static Verdict read(ServerSentEvent event) {
        String data = event.data() == null ? "" : event.data().strip();
        // OpenAI's terminal marker and empty keep-alives are not JSON and need not be.
        if (data.isEmpty() || data.equals("[DONE]")) {
            return READABLE;
        }
        boolean error = "error".equals(event.event());
        // Every chunk of every answer passes here just before LangChain4j parses it. A chunk that cannot carry an
        // error member is left to that parse: each API's client reports a chunk it cannot read (as an exception
        // out of the listener, or as a JSON error to the handler), and the classes make both "malformed".
        if (!error && !data.contains("\"error\"")) {
            return READABLE;
        }
        // Read with the streaming parser, not into a tree: only the shape and a top-level "error" member matter.
        try (JsonParser parser = JSON.getFactory().createParser(data)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new Verdict.Unreadable();
            }
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                if (token != JsonToken.FIELD_NAME) {
                    return new Verdict.Unreadable(); // the input ended inside the object
                }
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                // Anthropic names the event "error"; OpenAI, Gemini and Ollama send an object with an "error" member.
                error |= "error".equals(name) && value != JsonToken.VALUE_NULL;
                parser.skipChildren();
            }
        } catch (IOException e) {
            return new Verdict.Unreadable();
        }
        if (error) {
            return new Verdict.ProviderError(data);
        }
        return READABLE;
    }

    /**
     * The class of an error the provider reported inside a 200 stream: it answered, so this is its own trouble, a
     * server error, unless the error's type or status says it is overloaded or rate-limited (or the prompt too long).
     */
    static Failure classify(String body) {
        String text = body.toLowerCase(java.util.Locale.ROOT);
        if (FailureClassifier.contextTooLong(text)) {
            return new Failure.ContextTooLong();
        }
        if (text.contains("overloaded")) {
            return new Failure.Overloaded("in-stream error");
        }
        if (text.contains("rate_limit") || text.contains("resource_exhausted") || text.contains("rate limit")) {
            return new Failure.RateLimited(null);
        }
        return new Failure.ServerError(0);
    }
}

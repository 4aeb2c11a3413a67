package dev.switchboard.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.ContentFilteredException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;

/**
 * Turns what a LangChain4j client threw, plus what the HTTP tap saw (status, {@code Retry-After}), into a
 * {@link Failure}. Stateless.
 */
final class FailureClassifier {

    private FailureClassifier() {
    }

    static Failure classify(Throwable error, int status, Duration retryAfter) {
        String text = describe(error).toLowerCase(Locale.ROOT);
        int code = status > 0 ? status : httpStatus(error);
        if (code == 0 || code == 200) {
            // Errors sent inside a stream after HTTP 200 arrive as plain exceptions: read their type.
            if (text.contains("overloaded_error")) {
                return new Failure.Overloaded(firstLine(error));
            }
            if (text.contains("rate_limit_error") || text.contains("resource_exhausted")) {
                return new Failure.RateLimited(retryAfter);
            }
        }
        if (code == 429 || has(error, RateLimitException.class)) {
            return new Failure.RateLimited(retryAfter);
        }
        if (code == 529 || (code >= 500 && text.contains("overloaded"))) {
            return new Failure.Overloaded("HTTP " + code);
        }
        // Gemini answers a wrong key with 400 INVALID_ARGUMENT, not 401.
        if (code == 401 || code == 403 || has(error, AuthenticationException.class)
                || text.contains("api key not valid") || text.contains("api_key_invalid")) {
            return new Failure.Authentication();
        }
        if (code == 404 || has(error, ModelNotFoundException.class)) {
            return new Failure.ModelNotFound();
        }
        if (contextTooLong(text)) {
            return new Failure.ContextTooLong();
        }
        if (has(error, ContentFilteredException.class) || (code >= 400 && code < 500
                && (text.contains("content_filter") || text.contains("content_policy_violation")
                || text.contains("responsible_ai_policy")))) {
            return new Failure.ContentFiltered();
        }
        if (code >= 500 || has(error, InternalServerException.class)) {
            return new Failure.ServerError(code > 0 ? code : 500);
        }
        if (code == 408 || has(error, dev.langchain4j.exception.TimeoutException.class)
                || has(error, HttpTimeoutException.class) || has(error, HttpConnectTimeoutException.class)) {
            return new Failure.Timeout(Failure.Deadline.CONNECT);
        }
        if ((code >= 400 && code < 500) || has(error, InvalidRequestException.class)) {
            return new Failure.BadRequest(firstLine(error));
        }
        if (has(error, JsonProcessingException.class)) {
            // OpenAI's client hands a chunk it could not read to the handler: the text would have a hole in it.
            return new Failure.Malformed();
        }
        if (has(error, ConnectException.class)) {
            return new Failure.ConnectionFailed(true, firstLine(error));
        }
        if (has(error, IOException.class)) {
            return new Failure.ConnectionFailed(false, firstLine(error));
        }
        // An error event inside the stream of a type we do not know: the provider's trouble, not ours.
        return new Failure.ServerError(0);
    }

    /**
     * How providers and OpenAI-compatible servers say that the prompt does not fit, in any status (Ollama's runner
     * has answered it with a 500 too): OpenAI's and llama.cpp's error types, then the wordings of vLLM ("This model's
     * maximum context length is N tokens", "is longer than the model's maximum context length"), Ollama across
     * versions ("the input length exceeds the context length", "input length exceeds maximum context length",
     * "context length exceeded"), llama.cpp ("the request exceeds the available context size"), LM Studio ("exceeds
     * context length"), Anthropic ("prompt is too long") and Gemini ("exceeds the maximum number of tokens").
     */
    private static final java.util.List<String> CONTEXT_TOO_LONG = java.util.List.of(
            "context_length_exceeded", "exceed_context_size_error", "maximum context length",
            "exceeds the context length", "exceeds context length", "context length exceeded",
            "exceeds the available context size", "context size exceeded", "context window exceeded",
            "maximum model length", "prompt is too long", "exceeds the maximum number of tokens",
            "too many tokens");

    static boolean contextTooLong(String lowerCaseText) {
        return CONTEXT_TOO_LONG.stream().anyMatch(lowerCaseText::contains);
    }

    private static int httpStatus(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HttpException http) {
                return http.statusCode();
            }
        }
        return 0;
    }

    private static boolean has(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static String describe(Throwable error) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = error; t != null && sb.length() < 4000; t = t.getCause()) {
            sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append('\n');
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString();
    }

    /** A short, single-line description for logs; provider bodies can be long. */
    static String firstLine(Throwable error) {
        String m = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        int nl = m.indexOf('\n');
        m = nl >= 0 ? m.substring(0, nl) : m;
        return m.length() > 200 ? m.substring(0, 200) + "…" : m;
    }
}

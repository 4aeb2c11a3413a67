package dev.switchboard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link FakeDiscord}'s message nonces, as Discord keeps them: a nonce is a string of at most 25 characters or an
 * integer; a create with {@code enforce_nonce: true} whose nonce the bot used within the last few minutes
 * ({@link #WINDOW}) gets the message it created then, in whichever channel, and nothing new is posted. A message
 * deleted since does not come back: a new one is created (Discord does not say). Guarded by the fake's lock.
 */
final class FakeDiscordNonces {

    /** Discord says "the past few minutes"; five here. */
    static final Duration WINDOW = Duration.ofMinutes(5);
    static final int MAX_LENGTH = 25;

    private record Used(String messageId, long atNanos) { }

    private final Map<String, Used> used = new HashMap<>();
    private int repeats;

    /** What is wrong with a create's nonce, or null when it is fine or absent. */
    static FakeDiscordComponents.Problem problem(JsonNode body) {
        JsonNode nonce = body.path("nonce");
        if (nonce.isMissingNode() || nonce.isNull() || nonce.isIntegralNumber()) {
            return null;
        }
        if (!nonce.isTextual()) {
            return new FakeDiscordComponents.Problem("nonce", "BASE_TYPE_STRING", "Must be a string or an integer.");
        }
        if (nonce.asText().length() > MAX_LENGTH) {
            return new FakeDiscordComponents.Problem("nonce", "BASE_TYPE_MAX_LENGTH",
                    "Must be " + MAX_LENGTH + " or fewer in length.");
        }
        return null;
    }

    /** The message an enforced nonce already created within the window, or null: a new one is created. */
    String earlier(JsonNode body, long nowNanos) {
        String nonce = enforced(body);
        Used seen = nonce == null ? null : used.get(nonce);
        if (seen == null || nowNanos - seen.atNanos() > WINDOW.toNanos()) {
            return null;
        }
        repeats++;
        return seen.messageId();
    }

    /** Keeps the nonce of a message just created, when it was enforced. */
    void created(JsonNode body, String messageId, long nowNanos) {
        String nonce = enforced(body);
        if (nonce != null) {
            used.put(nonce, new Used(messageId, nowNanos));
        }
    }

    /** How many creates got an earlier message back for their nonce. */
    int repeats() {
        return repeats;
    }

    private static String enforced(JsonNode body) {
        JsonNode nonce = body.path("nonce");
        return body.path("enforce_nonce").asBoolean(false) && (nonce.isTextual() || nonce.isIntegralNumber())
                ? nonce.asText() : null;
    }
}

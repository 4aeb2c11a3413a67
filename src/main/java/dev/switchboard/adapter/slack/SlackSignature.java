package dev.switchboard.adapter.slack;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks that an HTTP-mode request comes from Slack: {@code X-Slack-Signature} must be
 * {@code v0=hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + body))}, compared in constant time, and
 * {@code X-Slack-Request-Timestamp} within five minutes of now in either direction, so a captured request cannot be
 * replayed later nor prepared for later. Thread-safe.
 */
final class SlackSignature {

    static final Duration TOLERANCE = Duration.ofMinutes(5);

    private final SecretKeySpec key;
    private final Clock clock;

    SlackSignature(String signingSecret, Clock clock) {
        this.key = new SecretKeySpec(signingSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.clock = clock;
    }

    /** {@link #problem(String, String, byte[])} for a body that is text. */
    String problem(String timestamp, String signature, String body) {
        return problem(timestamp, signature, body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Checks a request as Slack signs it: over the raw bytes of the body, whatever they hold.
     *
     * @return null when the request is authentic; otherwise why not, fit for a 401 body
     */
    String problem(String timestamp, String signature, byte[] body) {
        if (timestamp == null || signature == null) {
            return "X-Slack-Request-Timestamp and X-Slack-Signature are required";
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            return "X-Slack-Request-Timestamp is not a number of seconds";
        }
        long skew = Math.abs(clock.instant().getEpochSecond() - seconds);
        if (skew > TOLERANCE.toSeconds()) {
            return "X-Slack-Request-Timestamp is " + skew + " s away from now; at most " + TOLERANCE.toSeconds()
                    + " s is accepted";
        }
        byte[] expected = ("v0=" + HexFormat.of().formatHex(hmac(timestamp.strip(), body)))
                .getBytes(StandardCharsets.UTF_8);
        // Constant time: how much of a guess matched must not show in how long the answer takes.
        return MessageDigest.isEqual(expected, signature.strip().getBytes(StandardCharsets.UTF_8)) ? null
                : "X-Slack-Signature does not match the signing secret";
    }

    private byte[] hmac(String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}

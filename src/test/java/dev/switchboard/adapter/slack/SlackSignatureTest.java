package dev.switchboard.adapter.slack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SlackSignatureTest {

    // Slack's documented example: the signing secret, timestamp, body and the signature Slack computed for them.
    private static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    private static final String BODY = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
            + "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
            + "collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96"
            + "rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    private static final long TS = 1531420618;
    private static final String SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    private final MutableClock clock = new MutableClock(java.time.Instant.ofEpochSecond(TS + 10));
    private final SlackSignature signature = new SlackSignature(SECRET, clock);

    @Test
    void slacksOwnExampleIsAccepted() {
        assertThat(signature.problem(String.valueOf(TS), SIGNATURE, BODY)).isNull();
    }

    @Test
    void aSignatureMadeWithAnotherSecretOrBodyIsRefused() {
        assertThat(signature.problem(String.valueOf(TS), sign("another-secret", TS, BODY), BODY))
                .contains("does not match");
        assertThat(signature.problem(String.valueOf(TS), SIGNATURE, BODY + "&text=changed")).contains("does not match");
        assertThat(signature.problem(String.valueOf(TS), "v0=" + "0".repeat(64), BODY)).contains("does not match");
    }

    @Test
    void timestampsMoreThanFiveMinutesAwayAreRefusedInEitherDirection() {
        long now = TS + 10;
        assertThat(signature.problem(String.valueOf(now - 300), sign(SECRET, now - 300, BODY), BODY)).isNull();
        assertThat(signature.problem(String.valueOf(now + 300), sign(SECRET, now + 300, BODY), BODY)).isNull();
        assertThat(signature.problem(String.valueOf(now - 301), sign(SECRET, now - 301, BODY), BODY))
                .contains("301 s away");
        assertThat(signature.problem(String.valueOf(now + 301), sign(SECRET, now + 301, BODY), BODY))
                .contains("301 s away");
    }

    @Test
    void missingOrMalformedHeadersAreRefused() {
        assertThat(signature.problem(null, SIGNATURE, BODY)).contains("required");
        assertThat(signature.problem(String.valueOf(TS), null, BODY)).contains("required");
        assertThat(signature.problem("yesterday", SIGNATURE, BODY)).contains("not a number");
    }

    @Test
    void theSignatureCoversTheRawBytesEvenWhenTheyAreNotUtf8() throws Exception {
        byte[] body = {'{', '"', 't', '"', ':', '"', (byte) 0xC3, '(', (byte) 0xFF, (byte) 0xFE, '"', '}'};
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update(("v0:" + TS + ":").getBytes(StandardCharsets.UTF_8));
        String signed = "v0=" + HexFormat.of().formatHex(mac.doFinal(body));

        assertThat(signature.problem(String.valueOf(TS), signed, body)).isNull();
        assertThat(signature.problem(String.valueOf(TS), signed, new String(body, StandardCharsets.UTF_8)))
                .as("decoding first would change the bytes").contains("does not match");
    }

    static String sign(String secret, long ts, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "v0=" + HexFormat.of().formatHex(mac.doFinal(("v0:" + ts + ":" + body)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}

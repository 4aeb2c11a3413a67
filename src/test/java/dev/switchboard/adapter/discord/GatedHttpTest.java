package dev.switchboard.adapter.discord;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** How a 429 is read: its scope and how long it stops that scope. */
class GatedHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Response limited(String... headers) {
        Response.Builder b = new Response.Builder().request(new Request.Builder().url("http://127.0.0.1/api/v10/x")
                .build()).protocol(Protocol.HTTP_1_1).code(429).message("Too Many Requests");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b.build();
    }

    @Test
    void theScopeComesFromDiscordsHeadersOrBodyAndAnAnswerWithoutViaIsCloudflaresGlobalOne() throws Exception {
        var none = JSON.createObjectNode();
        assertThat(GatedHttp.scope(limited("Via", "1.1 google", "X-RateLimit-Global", "true"), none))
                .isEqualTo(RequestGate.Scope.GLOBAL);
        assertThat(GatedHttp.scope(limited("Via", "1.1 google"), JSON.readTree("{\"global\":true}")))
                .isEqualTo(RequestGate.Scope.GLOBAL);
        assertThat(GatedHttp.scope(limited(), none)).as("Cloudflare").isEqualTo(RequestGate.Scope.GLOBAL);
        assertThat(GatedHttp.scope(limited("Via", "1.1 google", "X-RateLimit-Scope", "shared"), none))
                .isEqualTo(RequestGate.Scope.SHARED);
        assertThat(GatedHttp.scope(limited("Via", "1.1 google", "X-RateLimit-Scope", "user"), none))
                .isEqualTo(RequestGate.Scope.ROUTE);
    }

    @Test
    void theWaitIsTheLongerOfTheHeaderAndTheBody() throws Exception {
        assertThat(GatedHttp.retryAfter(limited("Retry-After", "1"), JSON.readTree("{\"retry_after\":1.25}")))
                .isEqualTo(Duration.ofMillis(1_250));
        assertThat(GatedHttp.retryAfter(limited("Retry-After", "2"), JSON.readTree("{\"retry_after\":0.3}")))
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(GatedHttp.retryAfter(limited(), JSON.createObjectNode())).as("none given")
                .isEqualTo(Duration.ofSeconds(1));
    }
}

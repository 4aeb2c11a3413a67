package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.testing.MutableClock;
import dev.switchboard.testing.Turns;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private Service service;

    private Service start(String extraYaml, Map<String, String> env) {
        String yaml = "storage:\n  path: " + dir.resolve("data") + "\nops:\n  port: 0\n" + extraYaml;
        ConfigLoader.Loaded loaded = new ConfigLoader().parse(yaml, "test.yaml", env);
        service = new Service(loaded, MutableClock.at("2026-03-15T10:00:00Z")).start();
        return service;
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.ops().url() + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void nothingConfigured_servesHealthAndSaysItIsNotReadyAndWhy() throws Exception {
        start("", Map.of());

        assertThat(get("/healthz", null).statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get("/readyz", null);
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("\"ready\":false").contains("\"slack\":\"off (no token)\"")
                .contains("\"discord\":\"off (no token)\"");
    }

    @Test
    void metrics_areServedInThePrometheusFormatAndIncludeTheStore() throws Exception {
        start("", Map.of());
        service.store().append(Turns.slackKey("m"), Turns.user("U1", "hello", java.time.Instant.now()));
        service.store().load(Turns.slackKey("m"));

        HttpResponse<String> metrics = get("/metrics", null);

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        Pattern sample = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*})? (-?[0-9][0-9.eE+-]*|NaN|[+-]Inf)");
        Pattern comment = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");
        int samples = 0;
        for (String line : metrics.body().split("\n")) {
            if (line.startsWith("#")) {
                assertThat(comment.matcher(line).matches()).as(line).isTrue();
            } else if (!line.isEmpty()) {
                assertThat(sample.matcher(line).matches()).as(line).isTrue();
                samples++;
            }
        }
        assertThat(samples).isGreaterThan(20);
        assertThat(metrics.body()).contains("switchboard_store_append_seconds_count 1\n")
                .contains("cache_gets_total{cache=\"conversations\",result=\"hit\"} 1.0")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void opsToken_isRequiredEverywhereButHealthz() throws Exception {
        start("  token: ${OPS_TOKEN}\n", Map.of("OPS_TOKEN", "s3cret-ops-token-0123456789"));

        assertThat(get("/healthz", null).statusCode()).isEqualTo(200);
        assertThat(get("/metrics", null).statusCode()).isEqualTo(401);
        assertThat(get("/readyz", "wrong-token").statusCode()).isEqualTo(401);
        assertThat(get("/metrics", "s3cret-ops-token-0123456789").statusCode()).isEqualTo(200);
        assertThat(get("/metrics", null).body()).doesNotContain("s3cret-ops-token-0123456789");
    }
}

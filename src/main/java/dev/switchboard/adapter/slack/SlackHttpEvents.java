package dev.switchboard.adapter.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.request.Request;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.util.SlackRequestParser;
import dev.switchboard.conversation.StoreException;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP mode's Request URL: checks Slack's signature ({@link SlackSignature}, the only check: Bolt's own is off), then
 * lets Bolt parse and dispatch the request. While stopping it answers 503, so Slack delivers again later.
 * Thread-safe.
 */
final class SlackHttpEvents {

    private static final Logger log = LoggerFactory.getLogger(SlackHttpEvents.class);
    private static final String NOT_UNDERSTOOD = "not a Slack request this app understands\n";

    private final App app;
    private final SlackSignature signature;
    private final SlackRequestParser parser;
    private final MeterRegistry meters;
    private final SlackDispatch dispatch;
    private volatile boolean stopping;

    SlackHttpEvents(App app, SlackSignature signature, MeterRegistry meters, SlackDispatch dispatch) {
        this.dispatch = dispatch;
        this.app = app;
        this.signature = signature;
        this.parser = new SlackRequestParser(app.config());
        this.meters = meters;
    }

    void stop() {
        stopping = true;
    }

    void serve(Context ctx) throws Exception {
        if (stopping) {
            ctx.status(503).result("stopping; Slack will deliver this again\n");
            return;
        }
        byte[] raw = ctx.bodyAsBytes();
        String problem = signature.problem(ctx.header("X-Slack-Request-Timestamp"), ctx.header("X-Slack-Signature"),
                raw);
        if (problem != null) {
            refuse(ctx, 401, problem + "\n", "slack: refused an events request from {}: {}", problem);
            return;
        }
        Request<?> request;
        try {
            request = parser.parse(httpRequest(ctx, new String(raw, StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            // Signed but not a request Slack sends (not an object, a broken form): a clear 400, not a 500 that Slack
            // would deliver three more times.
            refuse(ctx, 400, NOT_UNDERSTOOD, "slack: refused a malformed events request from {}: {}",
                    e.getClass().getSimpleName());
            return;
        }
        Response response;
        try {
            // Through the dispatcher: in arrival order within a thread, at once across threads.
            response = dispatch.submit(SlackOrder.key(request), () -> run(request)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof SlackDispatch.Full full) {
                log.warn("{}; answering 503 so Slack delivers it again", full.getMessage());
                ctx.status(503).result("busy; Slack will deliver this again\n");
                return;
            }
            if (e.getCause() instanceof StoreException stored) {
                // Not taken: not acknowledged, so Slack delivers it again (by then the store may be back).
                log.warn("slack: an event could not be stored ({}); answering 503 so Slack delivers it again",
                        stored.getMessage());
                ctx.status(503).result("could not store this now; Slack will deliver it again\n");
                return;
            }
            refuse(ctx, 400, NOT_UNDERSTOOD, "slack: refused an events request from {} its fields could not be read:"
                    + " {}", e.getCause().getClass().getSimpleName());
            return;
        } catch (RuntimeException e) {
            // Its ordering key could not be read: the body is not an event, a command or an action Slack sends.
            refuse(ctx, 400, NOT_UNDERSTOOD, "slack: refused an events request from {} its fields could not be read:"
                    + " {}", e.getClass().getSimpleName());
            return;
        }
        ctx.status(response.getStatusCode());
        if (response.getHeaders() != null) {
            response.getHeaders().forEach((name, values) -> values.forEach(v -> ctx.header(name, v)));
        }
        if (response.getContentType() != null) {
            ctx.contentType(response.getContentType());
        }
        ctx.result(response.getBody() == null ? "" : response.getBody());
    }

    private Response run(Request<?> request) {
        try {
            return app.run(request);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void refuse(Context ctx, int status, String body, String logFormat, String why) {
        meters.counter("switchboard.slack.rejected_requests").increment();
        log.warn(logFormat, ctx.ip(), why);
        ctx.status(status).result(body);
    }

    private static SlackRequestParser.HttpRequest httpRequest(Context ctx, String body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        ctx.headerMap().forEach((name, value) -> headers.put(name, List.of(value)));
        return SlackRequestParser.HttpRequest.builder()
                .requestUri(ctx.path())
                .queryString(ctx.queryParamMap())
                .headers(new RequestHeaders(headers))
                .requestBody(body)
                .remoteAddress(ctx.ip())
                .build();
    }
}

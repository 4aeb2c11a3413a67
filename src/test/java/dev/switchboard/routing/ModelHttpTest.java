package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpMethod;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.DefaultServerSentEventParser;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Fault;
import dev.switchboard.testing.FakeProvider.Script;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The models' HTTP client: streams, error statuses with their Retry-After, the headers deadline, cancelling. */
class ModelHttpTest {

    private final FakeProvider provider = FakeProvider.start();
    private final HttpTap.Probe probe = new HttpTap.Probe(() -> { }, () -> { }, body -> { });

    @AfterEach
    void close() {
        HttpTap.CURRENT.remove();
        provider.close();
    }

    @Test
    void aStream_reachesTheListenerEventByEvent_thenCloses() throws Exception {
        provider.enqueue(Script.answer("one two three"));
        Recording listener = new Recording();

        new ModelHttp(Duration.ofSeconds(5), Duration.ofSeconds(5)).execute(chat(), new DefaultServerSentEventParser(),
                listener);

        assertThat(listener.ended.get(5, TimeUnit.SECONDS)).isEqualTo("closed");
        assertThat(listener.opened).containsExactly(200);
        assertThat(String.join("", listener.data)).contains("one", "two", "three");
        assertThat(listener.data.getLast()).isEqualTo("[DONE]");
    }

    @Test
    void anErrorStatus_reachesTheProbeWithItsRetryAfter_andTheListenerAsAnHttpException() throws Exception {
        provider.enqueue(Script.fault(new Fault.HttpError(429, "rate_limit_exceeded", 7)));
        HttpTap.CURRENT.set(probe);
        Recording listener = new Recording();

        new ModelHttp(Duration.ofSeconds(5), Duration.ofSeconds(5)).execute(chat(), new DefaultServerSentEventParser(),
                listener);

        assertThat(listener.ended.get(5, TimeUnit.SECONDS)).isEqualTo("error");
        assertThat(listener.error).isInstanceOf(HttpException.class);
        assertThat(((HttpException) listener.error).statusCode()).isEqualTo(429);
        assertThat(probe.status).isEqualTo(429);
        assertThat(probe.retryAfter).isEqualTo(Duration.ofSeconds(7));
        assertThat(listener.opened).isEmpty();
    }

    @Test
    void aCallWithoutAStream_throwsItsErrorStatus_andReturnsItsBodyOtherwise() {
        provider.serveModels("m1");
        ModelHttp http = new ModelHttp(Duration.ofSeconds(5), Duration.ofSeconds(5));

        SuccessfulHttpResponse listed = http.execute(HttpRequest.builder().method(HttpMethod.GET)
                .url(provider.baseUrl(Api.OPENAI) + "/models").build());
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body()).contains("\"m1\"");

        provider.enqueue(Script.fault(new Fault.HttpError(503, "server_error", null)));
        HttpTap.CURRENT.set(probe);
        assertThatThrownBy(() -> http.execute(chat())).isInstanceOf(HttpException.class)
                .satisfies(e -> assertThat(((HttpException) e).statusCode()).isEqualTo(503));
        assertThat(probe.status).isEqualTo(503);
    }

    @Test
    void noHeadersWithinTheReadTimeout_isATimeout() throws Exception {
        provider.enqueue(Script.fault(new Fault.NoHeaders()));
        Recording listener = new Recording();

        new ModelHttp(Duration.ofSeconds(5), Duration.ofMillis(300)).execute(chat(),
                new DefaultServerSentEventParser(), listener);

        assertThat(listener.ended.get(5, TimeUnit.SECONDS)).isEqualTo("error");
        assertThat(listener.error).isInstanceOf(TimeoutException.class);
    }

    @Test
    void theProbe_stopsARequestStillWaitingForItsHeaders() throws Exception {
        provider.enqueue(Script.fault(new Fault.NoHeaders()));
        HttpTap.CURRENT.set(probe);
        Recording listener = new Recording();
        new ModelHttp(Duration.ofSeconds(5), Duration.ofSeconds(60)).execute(chat(),
                new DefaultServerSentEventParser(), listener);

        probe.abort();

        assertThat(listener.ended.get(5, TimeUnit.SECONDS)).isEqualTo("error");
        assertThat(listener.error).as("stopped, not timed out").isNotInstanceOf(TimeoutException.class);
    }

    @Test
    void aGetOnAConnectionTheServerClosedWhileItWasPooled_goesOutOnAFreshOne() {
        provider.serveModels("m1");
        ModelHttp http = new ModelHttp(Duration.ofSeconds(5), Duration.ofSeconds(5));
        HttpRequest list = HttpRequest.builder().method(HttpMethod.GET)
                .url(provider.baseUrl(Api.OPENAI) + "/models").build();
        http.execute(list);

        provider.refuseConnections(); // closes the pooled connection too
        assertThatThrownBy(() -> http.execute(list)).as("refused on a fresh connection, not broken on the pooled one")
                .hasRootCauseInstanceOf(java.net.ConnectException.class);

        provider.acceptConnections();
        assertThat(http.execute(list).body()).contains("\"m1\"");
    }

    @Test
    void aStreamOnAConnectionTheServerClosedWhileItWasPooled_goesOutOnAFreshOne() throws Exception {
        ModelHttp http = new ModelHttp(Duration.ofSeconds(5), Duration.ofSeconds(5));
        provider.enqueue(Script.answer("one"));
        Recording first = new Recording();
        http.execute(chat(), new DefaultServerSentEventParser(), first);
        assertThat(first.ended.get(5, TimeUnit.SECONDS)).isEqualTo("closed");

        // The server drops its idle connections (a restart here; a 5 s keep-alive does the same) and answers again.
        provider.refuseConnections();
        provider.acceptConnections();
        provider.enqueue(Script.answer("two"));
        Recording second = new Recording();
        http.execute(chat(), new DefaultServerSentEventParser(), second);

        assertThat(second.ended.get(5, TimeUnit.SECONDS)).as("%s", second.error).isEqualTo("closed");
        assertThat(String.join("", second.data)).contains("two");
    }

    private HttpRequest chat() {
        return HttpRequest.builder().method(HttpMethod.POST).url(provider.baseUrl(Api.OPENAI) + "/chat/completions")
                .addHeader("Content-Type", "application/json")
                .body("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .build();
    }

    @Test
    void streamsBeyondThePlatformReaders_areReadOnVirtualThreads_andAFreedReaderServesTheNext() throws Exception {
        java.util.concurrent.Executor readers = ModelHttp.readers(2);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        List<CompletableFuture<Thread>> running = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            CompletableFuture<Thread> on = new CompletableFuture<>();
            running.add(on);
            readers.execute(() -> {
                on.complete(Thread.currentThread());
                try {
                    release.await(); // a stream still open
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        List<Thread> threads = running.stream().map(f -> f.join()).toList();
        assertThat(threads).extracting(Thread::isVirtual).containsExactly(false, false, true);
        assertThat(threads).allSatisfy(t -> assertThat(t.getName()).startsWith("provider-stream-"));

        release.countDown();
        Thread next = await().until(() -> {
            CompletableFuture<Thread> on = new CompletableFuture<>();
            readers.execute(() -> on.complete(Thread.currentThread()));
            return on.join();
        }, t -> !t.isVirtual());
        assertThat(threads.subList(0, 2)).as("a reader of a closed stream takes the next").contains(next);
    }

    private static final class Recording implements ServerSentEventListener {
        final List<Integer> opened = new CopyOnWriteArrayList<>();
        final List<String> data = new CopyOnWriteArrayList<>();
        final CompletableFuture<String> ended = new CompletableFuture<>();
        volatile Throwable error;

        @Override
        public void onOpen(SuccessfulHttpResponse response) {
            opened.add(response.statusCode());
        }

        @Override
        public void onEvent(ServerSentEvent event) {
            data.add(event.data());
        }

        @Override
        public void onError(Throwable error) {
            this.error = error;
            ended.complete("error");
        }

        @Override
        public void onClose() {
            ended.complete("closed");
        }
    }
}

package dev.switchboard.routing;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * LangChain4j's HTTP client interface over OkHttp, reporting each response's status and {@code Retry-After} to the
 * current attempt's {@link HttpTap.Probe} and letting the probe cancel the call at any point.
 *
 * <p>A stream is read by one platform thread of a pool, blocking on its socket: the kernel wakes that thread for
 * every chunk of every answer, where a virtual thread took a hop through the JDK's poller and a carrier (about a tenth
 * of the CPU of 100 answers streaming at once; docs/benchmarks.md), and the JDK client's selector, its worker and
 * the reading thread each took a turn. A reader idle for 30 s ends; its stack is 512 KiB. Past 128 streams at once
 * the others are read by virtual threads, which keeps the memory of 500 streams where it was. Timeouts keep
 * the JDK client's meaning: {@code connectTimeout} to connect (kept by {@link BlockingSockets}, so that reads stay one
 * system call each), {@code readTimeout} until the response's headers; a
 * stream's pauses after that are the router's deadlines to judge. HTTP/1.1, as the providers stream and the fakes
 * speak it. Thread-safe.
 */
final class ModelHttp implements HttpClient {

    /**
     * One client for every model: one connection pool, kept warm between answers. A request that fails before any
     * response goes out once more on a fresh connection (OkHttp's retry): that is a pooled connection the server had
     * closed, which OkHttp does not check before a GET, nor before a POST idle under 10 s, while servers with a 5 s
     * keep-alive (uvicorn, under vLLM and LiteLLM; Node) close them in that window. A refused connection is not tried
     * again here, and whatever fails once a response has begun is the router's to judge.
     */
    /** Where connects' and response headers' deadlines wait. */
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("provider-headers").factory());
    private static final OkHttpClient SHARED = new OkHttpClient.Builder()
            .protocols(List.of(Protocol.HTTP_1_1))
            .connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES))
            .retryOnConnectionFailure(true)
            .socketFactory(new BlockingSockets(DEADLINES))
            .build();
    /** Streams beyond this many at once are read by virtual threads: a platform thread costs about 0.2 MiB. */
    private static final int PLATFORM_READERS = 128;
    private static final Executor READERS = readers(PLATFORM_READERS);

    /** Up to {@code platform} readers on platform threads, idle ones ending after 30 s; more on virtual threads. */
    static Executor readers(int platform) {
        return new ThreadPoolExecutor(0, platform, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                Thread.ofPlatform().daemon().name("provider-stream-", 0).stackSize(512 * 1024).factory(),
                (stream, full) -> Thread.ofVirtual().name("provider-stream-v").start(stream));
    }

    private final OkHttpClient client;
    private final Duration headersWithin;

    ModelHttp(Duration connectTimeout, Duration readTimeout) {
        OkHttpClient.Builder builder = SHARED.newBuilder().readTimeout(Duration.ZERO).writeTimeout(Duration.ZERO);
        if (connectTimeout != null) {
            builder.connectTimeout(connectTimeout);
        }
        this.client = builder.build();
        this.headersWithin = readTimeout;
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        HttpTap.Probe probe = HttpTap.CURRENT.get();
        Call call = client.newCall(toOkHttp(request));
        if (probe != null) {
            probe.attach(call::cancel);
        }
        try (Response response = open(call)) {
            read(probe, response);
            String body = response.body().string();
            if (!response.isSuccessful()) {
                throw new HttpException(response.code(), body);
            }
            return success(response, body);
        } catch (HeadersLate e) {
            throw new TimeoutException(e);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        HttpTap.Probe probe = HttpTap.CURRENT.get();
        Call call = client.newCall(toOkHttp(request));
        if (probe != null) {
            probe.attach(call::cancel);
        }
        READERS.execute(() -> stream(call, probe, parser, listener));
    }

    private void stream(Call call, HttpTap.Probe probe, ServerSentEventParser parser,
                        ServerSentEventListener listener) {
        try (Response response = open(call)) {
            read(probe, response);
            if (!response.isSuccessful()) {
                HttpException refused = new HttpException(response.code(), response.body().string());
                quietly(() -> listener.onError(refused));
                return;
            }
            quietly(() -> listener.onOpen(success(response, null)));
            try (InputStream body = response.body().byteStream()) {
                parser.parse(body, listener);
            }
            quietly(listener::onClose);
        } catch (HeadersLate e) {
            quietly(() -> listener.onError(new TimeoutException(e)));
        } catch (IOException | RuntimeException e) {
            quietly(() -> listener.onError(e));
        }
    }

    /** The call's response, its headers read within {@link #headersWithin}; the body is read after. */
    private Response open(Call call) throws IOException {
        if (headersWithin == null || headersWithin.isZero()) {
            return call.execute();
        }
        AtomicBoolean late = new AtomicBoolean();
        ScheduledFuture<?> deadline = DEADLINES.schedule(() -> {
            late.set(true);
            call.cancel();
        }, headersWithin.toNanos(), TimeUnit.NANOSECONDS);
        try {
            return call.execute();
        } catch (IOException e) {
            if (late.get()) {
                throw new HeadersLate(headersWithin, e);
            }
            throw e;
        } finally {
            deadline.cancel(false);
        }
    }

    private static void read(HttpTap.Probe probe, Response response) {
        if (probe == null) {
            return;
        }
        probe.status = response.code();
        if (response.code() >= 400) {
            probe.retryAfter = RetryAfter.of(jdkHeaders(response.headers())).orElse(null);
        }
    }

    private static java.net.http.HttpHeaders jdkHeaders(Headers headers) {
        return java.net.http.HttpHeaders.of(headers.toMultimap(), (name, value) -> true);
    }

    private static SuccessfulHttpResponse success(Response response, String body) {
        return SuccessfulHttpResponse.builder()
                .statusCode(response.code())
                .headers(response.headers().toMultimap())
                .body(body)
                .build();
    }

    private static Request toOkHttp(HttpRequest request) {
        Request.Builder builder = new Request.Builder().url(request.url());
        request.headers().forEach((name, values) -> {
            if (values != null) {
                values.forEach(value -> builder.addHeader(name, value));
            }
        });
        builder.method(request.method().name(), body(request));
        return builder.build();
    }

    private static RequestBody body(HttpRequest request) {
        if (!request.formDataFields().isEmpty() || !request.formDataFiles().isEmpty()) {
            MultipartBody.Builder form = new MultipartBody.Builder().setType(MultipartBody.FORM);
            request.formDataFields().forEach(form::addFormDataPart);
            request.formDataFiles().forEach((name, file) -> form.addFormDataPart(name, file.fileName(),
                    RequestBody.create(file.content(), MediaType.parse(file.contentType()))));
            return form.build();
        }
        if (request.body() != null) {
            // As bytes: from a string OkHttp would add a charset to the request's own Content-Type.
            return RequestBody.create(request.body().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    contentType(request.headers()));
        }
        return switch (request.method()) {
            case POST -> RequestBody.create(new byte[0]);
            default -> null;
        };
    }

    /** The request's own Content-Type, which OkHttp writes from the body's. */
    private static MediaType contentType(Map<String, List<String>> headers) {
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase("Content-Type") && header.getValue() != null
                    && !header.getValue().isEmpty()) {
                return MediaType.parse(header.getValue().getFirst());
            }
        }
        return null;
    }

    private static void quietly(Runnable listenerCall) {
        try {
            listenerCall.run();
        } catch (RuntimeException ignored) {
            // a listener's own fault is its to report; the stream is done with either way
        }
    }

    /** The response's headers did not come within the read timeout. */
    private static final class HeadersLate extends InterruptedIOException {
        HeadersLate(Duration within, IOException cause) {
            super("no response headers within " + within.toMillis() + " ms");
            initCause(cause);
        }
    }
}

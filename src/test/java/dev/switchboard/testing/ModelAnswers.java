package dev.switchboard.testing;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A {@link FakeProvider} that serves several models: each answers {@code "Answer of <model>."}, paced like a real
 * stream, and the model {@value #BROKEN} fails with a server error.
 */
public final class ModelAnswers {

    /** The model that always fails. */
    public static final String BROKEN = "broken";

    private ModelAnswers() {
    }

    /** For {@link FakeProvider#otherwise}. */
    public static FakeProvider.Script answer(FakeProvider.Received request) {
        String model = request.body().get("model").asText();
        return model.equals(BROKEN) ? FakeProvider.Script.fault(new FakeProvider.Fault.HttpError(500, "server_error",
                null)) : FakeProvider.Script.answer("Answer of " + model + ".")
                .paced(Duration.ofMillis(20), Duration.ofMillis(10));
    }

    /**
     * The providers, routing, storage and ops sections of a service asking {@code provider} (OpenAI format) for the
     * models m, m-large, m-small and {@value #BROKEN}; the route answers with main/m, and /compare asks main/m,
     * main/broken and main/m-small.
     *
     * @param userModels the YAML list for {@code routing.user_models}
     */
    public static String sections(FakeProvider provider, String userModels, Path data) {
        return """
                providers:
                  main:
                    type: openai
                    api_key: test-key-000000
                    base_url: %s
                    models: [m, m-large, m-small, broken]
                    retry: {max_attempts: 1}
                routing:
                  routes:
                    default: {targets: [main/m]}
                  user_models: %s
                  compare_models: [main/m, main/broken, main/m-small]
                storage: {path: %s, fsync: false}
                ops: {enabled: false}
                """.formatted(provider.baseUrl(FakeProvider.Api.OPENAI), userModels,
                data.toString().replace("\\", "/"));
    }
}

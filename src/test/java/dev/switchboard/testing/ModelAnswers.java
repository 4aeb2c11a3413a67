package dev.switchboard.testing;

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
}

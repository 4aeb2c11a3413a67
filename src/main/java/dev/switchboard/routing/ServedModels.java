package dev.switchboard.routing;

import java.util.List;

/**
 * What a provider's models endpoint said, for {@code switchboard check}.
 *
 * @param provider the provider's name
 * @param served the model ids it lists, sorted; empty when it could not be asked
 * @param missing the configured models it does not list, in config order
 * @param failure why the list could not be had, or null
 */
public record ServedModels(String provider, List<String> served, List<String> missing, Failure failure) {

    public ServedModels {
        served = List.copyOf(served);
        missing = List.copyOf(missing);
    }

    /** Asks each active provider for its models, all at once, and waits for every answer. */
    static List<ServedModels> of(java.util.Map<String, RouterOptions.Provider> providers) {
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<ServedModels>> asked = providers.entrySet().stream()
                    .filter(e -> e.getValue().active())
                    .map(e -> threads.submit(() -> ask(e.getKey(), e.getValue()))).toList();
            return asked.stream().map(f -> {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while asking for the models", e);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }).toList();
        }
    }

    private static ServedModels ask(String name, RouterOptions.Provider p) {
        try {
            List<String> served = ModelCatalogs.served(p).stream().sorted().toList();
            List<String> missing = p.models().stream().filter(m -> !ModelCatalogs.serves(served, m)).toList();
            return new ServedModels(name, served, missing, null);
        } catch (RuntimeException e) {
            return new ServedModels(name, List.of(), List.of(), FailureClassifier.classify(e, 0, null));
        }
    }
}

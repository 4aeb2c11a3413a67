package dev.switchboard.routing;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.Turn;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;

/**
 * Writes the summaries of long threads with the route's cheapest target: the one whose configured price
 * ({@code providers.NAME.prices}) costs least for a summary's mix (four input tokens to one output token), among the
 * targets of the conversation's route that are in rotation; when none of them has a price, the route's last target (a
 * route lists its cheaper fallbacks last by custom). One try, without retries or fallback: the caller trims instead
 * and tries again later. Takes one of the provider's stream slots like a reply. Thread-safe.
 */
public final class Summarizer {

    /** How a model is asked to summarise; the summary replaces older turns in later prompts. */
    static final String INSTRUCTIONS = "You write the running summary of a chat thread so that it can be continued"
            + " without its older messages. Keep who said what, decisions, facts, numbers, names, code identifiers and"
            + " open questions; leave out greetings and thanks. Write in the thread's language, as plain text, in at"
            + " most 400 words. Reply with the summary only.";

    /** A summary and who wrote it. */
    public record Written(String text, String provider, String model) {
        public Written {
            Objects.requireNonNull(text, "text");
        }
    }

    private final RouteChoices routes;
    private final ProviderRegistry providers;
    private final RouterTime time;
    private final RandomGenerator random;

    Summarizer(RouteChoices routes, ProviderRegistry providers, RouterTime time, RandomGenerator random) {
        this.routes = routes;
        this.providers = providers;
        this.time = time;
        this.random = random;
    }

    /** The target that summarises this conversation now. @throws IllegalStateException when none is in rotation */
    Target target(ConversationKey key) {
        List<Target> usable = routes.plan(key, random).targets().stream().filter(t -> {
            ProviderState p = providers.get(t.provider());
            return p != null && !p.availability().marked();
        }).toList();
        if (usable.isEmpty()) {
            throw new IllegalStateException("no target of the route is in rotation");
        }
        return cheapest(usable);
    }

    private Target cheapest(List<Target> targets) {
        List<Target> priced = targets.stream().filter(t -> price(t) != null).toList();
        if (priced.isEmpty()) {
            return targets.getLast();
        }
        return priced.stream().min(Comparator.comparingDouble(t -> 4 * price(t).input() + price(t).output()))
                .orElseThrow();
    }

    private RouterOptions.Price price(Target t) {
        return providers.get(t.provider()).config.prices().get(t.model());
    }

    /**
     * How many characters of turns one summary request may carry: the summarising model's window, less room for the
     * instructions, the earlier summary and the answer, at the prompt builder's three characters a token.
     */
    public int inputChars(ConversationKey key) {
        Target t = target(key);
        int window = ContextWindows.of(t.model(), providers.get(t.provider()).config.contextWindows());
        int tokens = window - Math.min(4_096, window / 4) - 1_024;
        return Math.max(2_000, Math.min(tokens * 3, 600_000));
    }

    /**
     * Summarises {@code turns} into {@code earlier} (the summary so far, or empty).
     *
     * @return the new summary; fails when the target fails, without retries
     */
    public CompletableFuture<Written> write(ConversationKey key, String earlier, List<Turn> turns) {
        Target target;
        try {
            target = target(key);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        ProviderState provider = providers.get(target.provider());
        ChatRequest chat = ChatRequest.builder().messages(List.of(SystemMessage.from(INSTRUCTIONS),
                UserMessage.from(request(earlier, turns)))).build();
        return provider.slots.take(provider.config.deadlines().firstToken()).thenCompose(slot -> {
            // Started on the router's own threads, as replies' attempts are.
            CompletableFuture<Attempt.Completion> tried = new CompletableFuture<>();
            time.timer(java.time.Duration.ZERO, () -> {
                try {
                    new Attempt(new Object(), provider.model(target.model()), chat, provider.config.deadlines(),
                            time, (a, text) -> true).start().whenComplete((c, e) -> {
                                if (e != null) {
                                    tried.completeExceptionally(e);
                                } else {
                                    tried.complete(c);
                                }
                            });
                } catch (RuntimeException e) {
                    tried.completeExceptionally(e);
                }
            });
            return tried.whenComplete((c, e) -> slot.release());
        }).handle((done, error) -> {
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                Failure failure = cause instanceof Attempt.Failed f ? f.failure
                        : FailureClassifier.classify(cause, 0, null);
                throw new Failed(target.id() + ": " + failure.label());
            }
            if (done.text().isBlank()) {
                throw new Failed(target.id() + ": empty summary");
            }
            return new Written(done.text().strip(), target.provider(), target.model());
        });
    }

    /** A summary that could not be written; its message names the target and the failure class, never any text. */
    public static final class Failed extends RuntimeException {
        Failed(String message) {
            super(message, null, false, false);
        }
    }

    /** The user message of a summary request: the summary so far, then the turns to fold in, oldest first. */
    static String request(String earlier, List<Turn> turns) {
        StringBuilder sb = new StringBuilder("Summary so far:\n").append(earlier.isBlank() ? "(none)" : earlier)
                .append("\n\nMessages to add, oldest first:\n");
        for (Turn t : turns) {
            String who = t.role() == Role.ASSISTANT ? "Assistant"
                    : t.authorName().isBlank() ? "User " + t.authorId() : t.authorName();
            sb.append(who).append(": ").append(t.text()).append('\n');
        }
        return sb.toString();
    }
}

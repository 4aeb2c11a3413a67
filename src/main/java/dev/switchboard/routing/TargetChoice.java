package dev.switchboard.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * Which target a reply asks next: the plan walked in order, passing over one that is not configured, marked
 * unavailable, or blind to the question's images while a later one sees them; and the failures so far. Not
 * thread-safe: guarded by the reply's run.
 */
final class TargetChoice {

    /** A target to ask, with its provider as the registry had it when chosen. */
    record Next(Target target, ProviderState provider) { }

    private final ProviderRegistry providers;
    private final ReplyRequest request;
    private final List<Target> plan;
    private final List<TargetFailure> failures = new ArrayList<>();
    private int next;
    private boolean news;
    private double budgetFactor = 1.0;
    private Target trimmedFor;

    /** @param providers read at each step (a reload applies to the next target) */
    TargetChoice(ProviderRegistry providers, ReplyRequest request, List<Target> plan) {
        this.providers = providers;
        this.request = request;
        this.plan = new ArrayList<>(plan);
    }

    /** The next target to ask, each one passed over noted as a failure; null when none is left. */
    Next next() {
        while (next < plan.size()) {
            Target target = plan.get(next++);
            ProviderState provider = providers.get(target.provider());
            if (provider == null) {
                failed(new TargetFailure(target, new Failure.Unavailable("not configured")), false);
                continue;
            }
            Availability availability = provider.availability();
            if (availability.marked()) {
                failed(new TargetFailure(target, new Failure.Unavailable(availability.reason())),
                        availability.deliberate());
                continue;
            }
            if (cannotSeeImages(target, provider) && laterOneSees()) {
                failed(new TargetFailure(target, new Failure.Unavailable(AttachmentNotes.NO_VISION)), false);
                continue;
            }
            return new Next(target, provider);
        }
        return null;
    }

    /** Whether the message answered has images this target would not see. */
    private boolean cannotSeeImages(Target target, ProviderState provider) {
        return AttachmentNotes.hasImages(request.history()) && !capabilities(target, provider).vision();
    }

    /** Whether a target later in the plan sees images: only then is one that does not passed over. */
    private boolean laterOneSees() {
        return plan.subList(next, plan.size()).stream().anyMatch(t -> {
            ProviderState p = providers.get(t.provider());
            return p != null && !p.availability().marked() && capabilities(t, p).vision();
        });
    }

    static ModelCapabilities.Capabilities capabilities(Target target, ProviderState provider) {
        return ModelCapabilities.of(provider.config.api(), target.model(), provider.config.capabilities());
    }

    /** The share of its window the prompt for {@code target} may fill: less after it was too long. */
    double budgetFactor(Target target) {
        return target.equals(trimmedFor) ? budgetFactor : 1.0;
    }

    /**
     * Go to a usable target with a larger window; if none is left, try this one again with half the history, as
     * long as there is history left to drop. The smaller budget applies to this target only.
     *
     * @param promptMessages how many messages the prompt that was too long had
     */
    void retryTrimmedIfNoLargerWindow(Target target, ProviderState provider, int promptMessages) {
        int window = ContextWindows.of(target.model(), provider.config.contextWindows());
        boolean larger = plan.subList(next, plan.size()).stream().anyMatch(t -> {
            ProviderState p = providers.get(t.provider());
            return p != null && !p.availability().marked()
                    && ContextWindows.of(t.model(), p.config.contextWindows()) > window;
        });
        double factor = budgetFactor(target);
        boolean historyLeft = promptMessages > 2; // more than the system prompt and the question
        if (!larger && historyLeft && factor > 0.2) {
            trimmedFor = target;
            budgetFactor = factor / 2;
            plan.add(next, target);
        }
    }

    /**
     * @param deliberate skipped on purpose (off in the config, turned off by an operator): not news for operators,
     *                   who hear of a reply that fell back only when something went wrong
     */
    void failed(TargetFailure failure, boolean deliberate) {
        failures.add(failure);
        news |= !deliberate;
    }

    /** The targets that failed or were passed over, in order. */
    List<TargetFailure> failures() {
        return failures;
    }

    /** Whether a failure so far is news for operators (not only deliberate skips). */
    boolean news() {
        return news;
    }
}

package dev.switchboard.routing;

import java.util.List;

/** The one short line a user sees when no target answered: what happened and whether to retry. Never a detail. */
final class UserMessages {

    private UserMessages() {
    }

    static String allFailed(List<TargetFailure> failures) {
        if (failures.isEmpty()) {
            return "No AI provider is set up for this conversation, so I can't answer yet. An operator needs to add one.";
        }
        boolean busy = failures.stream().map(TargetFailure::failure).anyMatch(f -> f instanceof Failure.RateLimited
                || f instanceof Failure.Overloaded);
        // Every slot for streams stayed in use: the providers were not asked, this service was full.
        boolean full = failures.stream().map(TargetFailure::failure).anyMatch(f -> f instanceof Failure.Busy);
        boolean flaky = failures.stream().map(TargetFailure::failure).anyMatch(f -> f instanceof Failure.Timeout
                || f instanceof Failure.ConnectionFailed || f instanceof Failure.ServerError
                || f instanceof Failure.Truncated);
        if (full && !busy) {
            return "I'm answering too many questions at once to start yours in time. Please try again in a minute.";
        }
        if (busy) {
            return "The AI providers are overloaded right now and couldn't answer. Please try again in a minute.";
        }
        if (flaky) {
            return "The AI providers aren't answering right now. Please try again in a few minutes.";
        }
        return "No AI provider is available right now; the operators can see why. Please try again later.";
    }

    static String badRequest() {
        return "Something went wrong on my side while asking the AI provider; it has been logged for the operators.";
    }

    static String contentFiltered() {
        return "The AI provider declined to answer this request.";
    }
}

package dev.switchboard;

import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.TargetFailure;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.function.Function;

/**
 * The line under each answer of a comparison: the model, time to the first token, total time, tokens, and the cost
 * when the config's price table ({@code providers.<name>.prices}) knows the model; a failed model's line says it
 * failed and why. Stateless.
 */
final class CompareFooter {

    private CompareFooter() {
    }

    static Function<ReplyOutcome, String> of(String model) {
        return outcome -> "_" + line(model, outcome) + "_";
    }

    static String line(String model, ReplyOutcome outcome) {
        return switch (outcome) {
            case ReplyOutcome.Completed c -> model + String.format(Locale.ROOT, " · first token %.2f s · %.2f s",
                    c.firstToken().toMillis() / 1000.0, c.latency().toMillis() / 1000.0)
                    + " · " + c.usage().input() + " in / " + c.usage().output() + " out tokens"
                    + (c.costUsd() > 0 ? " · $" + dollars(c.costUsd()) : "");
            case ReplyOutcome.Failed f -> model + " failed" + f.failures().stream().reduce((a, b) -> b)
                    .map(CompareFooter::why).orElse("");
            case ReplyOutcome.Cancelled c -> model + " · stopped";
        };
    }

    /** Dollars to six places without trailing zeros: a short answer costs a fraction of a cent. */
    static String dollars(double usd) {
        return BigDecimal.valueOf(usd).setScale(6, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    private static String why(TargetFailure f) {
        return ": " + f.failure().label().replace('_', ' ');
    }
}

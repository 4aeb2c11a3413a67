package dev.switchboard.answering;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Feedback;
import dev.switchboard.conversation.FeedbackStore;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.conversation.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * People's 👍 / 👎 on answers, the same for every platform: a press on one of the bot's answers is stored with the
 * answer's turn (one verdict per person per answer, a later press replacing an earlier one) and counted in
 * {@code switchboard.feedback} by provider, model and verdict (Prometheus: {@code switchboard_feedback_total}); a
 * press on anything else is refused and stores nothing. The counter counts verdicts given: a changed verdict counts
 * again under its new value, the same verdict pressed twice does not. Thread-safe.
 */
public final class Verdicts {

    private static final Logger log = LoggerFactory.getLogger(Verdicts.class);

    /** What the person who pressed is told, privately. */
    public static final String THANKS = "Thanks for the feedback!";
    public static final String NOT_AN_ANSWER = "That feedback can't be taken: it isn't on one of my answers here.";
    public static final String NOT_SAVED = "I couldn't save your feedback just now. Please try again in a moment.";
    public static final String TURNED_OFF = "Feedback is turned off here.";
    /** The shell's answer when the thread has no answer yet. */
    public static final String NO_ANSWER_YET = "There is no answer to give feedback on yet.";

    /** How a press ended. */
    public sealed interface Result {
        /** What to tell the person who pressed, privately. */
        String userMessage();

        /** Stored (and counted when it changed anything). */
        record Thanked(Feedback.Given given) implements Result {
            @Override
            public String userMessage() {
                return THANKS;
            }
        }

        /** Not stored: not one of the bot's answers, or the store failed. */
        record Refused(String userMessage) implements Result { }
    }

    private final FeedbackStore store;
    private final Clock clock;
    private final MeterRegistry meters;
    private volatile boolean enabled = true;

    public Verdicts(FeedbackStore store, Clock clock, MeterRegistry meters) {
        this.store = store;
        this.clock = clock;
        this.meters = meters;
    }

    /** Turns feedback on or off (the config's {@code feedback.enabled}); set before the adapters start. */
    public void enable(boolean on) {
        enabled = on;
    }

    /** Whether answers carry 👍 / 👎 and presses are taken. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * A person's verdict on the answer of thread {@code key} carrying platform message {@code messageId}. The adapter
     * has checked that the press came from its own workspace or guild; whether the message is an answer of that
     * thread is decided here, against the store.
     */
    public Result give(ConversationKey key, String messageId, String userId, Verdict verdict) {
        Objects.requireNonNull(verdict, "verdict");
        if (!enabled) {
            return new Result.Refused(TURNED_OFF);
        }
        if (messageId == null || messageId.isBlank() || userId == null || userId.isBlank()) {
            return new Result.Refused(NOT_AN_ANSWER);
        }
        Feedback.Given given;
        try {
            given = store.giveFeedback(key, messageId, userId, verdict, clock.instant()).orElse(null);
        } catch (StoreException e) {
            log.warn("a verdict in {} could not be stored: {}", key, e.getMessage());
            return new Result.Refused(NOT_SAVED);
        }
        if (given == null) {
            log.info("refused a verdict on a message that is not an answer in {}", key);
            return new Result.Refused(NOT_AN_ANSWER);
        }
        if (given.changed()) {
            Feedback f = given.feedback();
            Counter.builder("switchboard.feedback")
                    .description("Verdicts people gave on answers (a changed verdict counts again)")
                    .tag("provider", f.provider()).tag("model", f.model()).tag("verdict", f.verdict().label())
                    .register(meters).increment();
        }
        return new Result.Thanked(given);
    }
}

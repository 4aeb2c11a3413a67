package dev.switchboard.admin;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.UsageLedger;
import dev.switchboard.ops.Status;
import java.util.Map;
import java.util.Objects;

/** What running a {@link Command} did, before it is put in words by {@link AnswerWriter}. */
sealed interface Outcome {

    /** @param pinnedModel the model pinned where the command was given; null when the route decides */
    record StatusReport(Status status, String pinnedModel) implements Outcome {
        public StatusReport {
            Objects.requireNonNull(status, "status");
        }
    }

    record ProviderSwitched(String provider, boolean on) implements Outcome { }

    record NoSuchProvider(String provider) implements Outcome { }

    /** A setting was refused; {@code problem} says why. */
    record NotChanged(String problem) implements Outcome { }

    /** @param model null when the route decides again */
    record ModelPinned(ConversationKey here, ConversationKey where, String model) implements Outcome { }

    /** @param route null when the config decides again */
    record RouteChosen(ConversationKey here, ConversationKey where, String route) implements Outcome { }

    record PromptSet(ConversationKey here, ConversationKey where, boolean reset) implements Outcome { }

    /** @param existed whether anything was stored for the thread */
    record Forgotten(ConversationKey thread, boolean existed) implements Outcome { }

    record NothingToExport(ConversationKey thread) implements Outcome { }

    record ExportTooLarge(ConversationKey thread, int bytes) implements Outcome { }

    /** @param turns how many turns the file holds */
    record Exported(ConversationKey thread, int turns, byte[] json) implements Outcome { }

    /** Totals over a window by provider, by channel and by user, and the verdicts given in it per model. */
    record UsageReport(String window, Map<String, UsageLedger.Total> byProvider,
                       Map<String, UsageLedger.Total> byChannel, Map<String, UsageLedger.Total> byUser,
                       java.util.List<dev.switchboard.conversation.FeedbackTally> feedback)
            implements Outcome { }

    /** @param turns stored messages deleted; @param records usage records that no longer name the user */
    record UserForgotten(String user, int turns, int records) implements Outcome { }

    /** A sentence decided elsewhere: a reload's result, a usage line, a failure. */
    record Said(String text) implements Outcome {
        public Said {
            Objects.requireNonNull(text, "text");
        }
    }
}

package dev.switchboard.answering;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.SeenMessages;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

/** Finds the messages a stopped process acknowledged but never answered, so adapters resubmit them at start. */
final class Recovery {

    private final ConversationStore store;
    private final Clock clock;
    private final BiPredicate<ConversationKey, String> busyWith;

    /** @param busyWith whether a message of a thread is waiting for or getting its reply now */
    Recovery(ConversationStore store, Clock clock, BiPredicate<ConversationKey, String> busyWith) {
        this.store = store;
        this.clock = clock;
        this.busyWith = busyWith;
    }

    List<Conversations.Unanswered> unanswered(String platform, Duration within) {
        List<Conversations.Unanswered> found = new ArrayList<>();
        for (SeenMessages.Pending p : store.unanswered(platform, clock.instant().minus(within))) {
            if (!busyWith.test(p.key(), p.message().messageIds().getFirst())) {
                found.add(new Conversations.Unanswered(p.key(), p.message()));
            }
        }
        return found;
    }
}

package dev.switchboard.chat;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationQuery;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.Turn;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
        Instant since = clock.instant().minus(within);
        List<Conversations.Unanswered> found = new ArrayList<>();
        for (var summary : store.list(new ConversationQuery(platform, null, null, null, null))) {
            if (summary.lastModified().isBefore(since)) {
                continue;
            }
            store.load(summary.key()).ifPresent(c -> {
                for (Turn t : c.turns()) {
                    if (t.role() == Role.USER && !t.messageIds().isEmpty() && t.at().isAfter(since)
                            && !History.answered(c, t.messageIds().getFirst())
                            && !busyWith.test(c.key(), t.messageIds().getFirst())) {
                        found.add(new Conversations.Unanswered(c.key(), t));
                    }
                }
            });
        }
        return found;
    }
}

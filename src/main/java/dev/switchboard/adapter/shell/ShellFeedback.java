package dev.switchboard.adapter.shell;

import dev.switchboard.answering.Verdicts;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.Turn;
import dev.switchboard.conversation.Verdict;
import java.util.List;

/** The shell's {@code /good} and {@code /bad}: a verdict on the thread's last answer. Stateless. */
final class ShellFeedback {

    private ShellFeedback() {
    }

    /** @return what to tell the user */
    static String give(Verdicts verdicts, ConversationStore store, ConversationKey key, String user,
                       Verdict verdict) {
        if (!verdicts.enabled()) {
            return Verdicts.TURNED_OFF;
        }
        List<Turn> turns = store.load(key).map(c -> c.turns()).orElse(List.of());
        for (int i = turns.size() - 1; i >= 0; i--) {
            Turn t = turns.get(i);
            if (t.role() == Role.ASSISTANT && !t.messageIds().isEmpty() && !t.assistant().provider().isEmpty()) {
                Verdicts.Result result = verdicts.give(key, t.messageIds().getFirst(), user, verdict);
                return result instanceof Verdicts.Result.Thanked
                        ? result.userMessage() + " (" + (verdict == Verdict.GOOD ? "👍" : "👎") + " on "
                                + t.assistant().provider() + "/" + t.assistant().model() + ")"
                        : result.userMessage();
            }
        }
        return Verdicts.NO_ANSWER_YET;
    }
}

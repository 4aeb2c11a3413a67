package dev.switchboard.routing;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.Turn;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Builds the messages for one target: the system prompt with its placeholders filled, then as many of the newest
 * turns as fit the model's context window with room left for the answer. In a thread with several people each user
 * turn starts with its author's name. Stateless.
 */
final class PromptBuilder {

    /** Messages to send and how many older turns did not fit. */
    record Prompt(List<ChatMessage> messages, int omittedTurns, int estimatedTokens) {
    }

    private static final DateTimeFormatter DATE = DateTimeFormatter.ISO_LOCAL_DATE;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm 'UTC'");

    private PromptBuilder() {
    }

    static String systemPrompt(String template, String user, String channel, Instant now) {
        return systemPrompt(template, user, channel, "", now);
    }

    /** The template with its placeholders filled; {@code {viewing_channel}} names the channel the user looks at. */
    static String systemPrompt(String template, String user, String channel, String viewingChannel, Instant now) {
        ZonedDateTime at = now.atZone(ZoneOffset.UTC);
        return template.replace("{date}", DATE.format(at))
                .replace("{time}", TIME.format(at))
                .replace("{user}", user.isBlank() ? "the user" : user)
                .replace("{viewing_channel}", viewingChannel.isBlank() ? "no particular channel" : viewingChannel)
                .replace("{channel}", channel.isBlank() ? "this conversation" : channel);
    }

    /** The system prompt followed by what the platform added for this answer (see ThreadContext), if anything. */
    static String withContext(String system, String context) {
        return context.isBlank() ? system : system + "\n\n" + context;
    }

    /**
     * @param window the target model's context window in tokens
     * @param budgetFactor 1 normally; below 1 to trim harder after a context-too-long refusal
     */
    static Prompt build(String systemPrompt, List<Turn> history, int window, double budgetFactor) {
        int reserve = Math.min(4_096, window / 4);
        int budget = (int) ((window - reserve) * budgetFactor) - estimate(systemPrompt);
        boolean manyPeople = history.stream().filter(t -> t.role() == Role.USER).map(Turn::authorId)
                .distinct().count() > 1;
        Deque<ChatMessage> kept = new ArrayDeque<>();
        int used = 0;
        int omitted = 0;
        for (int i = history.size() - 1; i >= 0; i--) {
            Turn turn = history.get(i);
            // A reply that failed before showing any text is kept for the record, not for the model.
            if (turn.role() == Role.SYSTEM || turn.text().isBlank()) {
                continue;
            }
            if (turn.role() == Role.TOOL) {
                // Context for a follow-up: what the answer after it was based on, as part of that answer.
                if (kept.peekFirst() instanceof AiMessage answer) {
                    String with = ToolTurnText.of(turn) + "\n\n" + answer.text();
                    int cost = estimate(turn.text()) + 8;
                    if (used + cost <= budget) {
                        kept.removeFirst();
                        kept.addFirst(AiMessage.from(with));
                        used += cost;
                    }
                }
                continue;
            }
            ChatMessage message = toMessage(turn, manyPeople);
            int cost = estimate(turn.text()) + 8;
            // The message being answered always goes, even alone over budget: the provider then says it is too long.
            if (!kept.isEmpty() && used + cost > budget) {
                omitted = countConversational(history, i);
                break;
            }
            kept.addFirst(message);
            used += cost;
        }
        // A conversation must not open with the assistant's words.
        while (kept.size() > 1 && kept.peekFirst() instanceof AiMessage) {
            kept.removeFirst();
            omitted++;
        }
        kept.addFirst(SystemMessage.from(systemPrompt));
        return new Prompt(List.copyOf(kept), omitted, used + estimate(systemPrompt));
    }

    private static int countConversational(List<Turn> history, int upToInclusive) {
        int n = 0;
        for (int i = 0; i <= upToInclusive; i++) {
            if (history.get(i).role() != Role.SYSTEM && history.get(i).role() != Role.TOOL) {
                n++;
            }
        }
        return n;
    }

    private static ChatMessage toMessage(Turn turn, boolean manyPeople) {
        if (turn.role() == Role.ASSISTANT) {
            return AiMessage.from(turn.text());
        }
        String name = turn.authorName().isBlank() ? turn.authorId() : turn.authorName();
        return UserMessage.from(manyPeople && !name.isBlank() ? name + ": " + turn.text() : turn.text());
    }

    /** About three characters a token: fewer than the usual four for English, so the prompt errs on the small side. */
    static int estimate(String text) {
        return (text.length() + 2) / 3 + 1;
    }
}

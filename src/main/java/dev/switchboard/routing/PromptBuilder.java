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
 * Builds the messages for one target: the system prompt with its placeholders filled (and, when the history holds a
 * summary of older turns, that summary after it, clearly marked), then as many of the newest turns as fit the model's
 * context window with room left for the answer. In a thread with several people each user turn starts with its
 * author's name. Stateless.
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
        return build(systemPrompt, history, window, budgetFactor, AttachmentContent.Media.TEXT_ONLY);
    }

    /**
     * @param media what the target reads beside text and where the attachments' bytes are; when the history must be
     *     trimmed, older turns' files go before any text
     */
    static Prompt build(String systemPrompt, List<Turn> history, int window, double budgetFactor,
                        AttachmentContent.Media media) {
        Turn summary = history.stream().filter(t -> t.role() == Role.SUMMARY).reduce((a, b) -> b).orElse(null);
        if (summary != null) {
            systemPrompt = withSummary(systemPrompt, summary);
        }
        int reserve = Math.min(4_096, window / 4);
        int budget = (int) ((window - reserve) * budgetFactor) - estimate(systemPrompt);
        boolean manyPeople = history.stream().filter(t -> t.role() == Role.USER).map(Turn::authorId)
                .distinct().count() > 1;
        Deque<ChatMessage> kept = new ArrayDeque<>();
        int used = 0;
        int omitted = 0;
        boolean filesLeftOut = false;
        for (int i = history.size() - 1; i >= 0; i--) {
            Turn turn = history.get(i);
            boolean files = turn.role() == Role.USER && !turn.attachments().isEmpty();
            // A reply that failed before showing any text is kept for the record, not for the model.
            if (turn.role() == Role.SYSTEM || turn.role() == Role.SUMMARY || (turn.text().isBlank() && !files)) {
                continue;
            }
            if (turn.role() == Role.TOOL) {
                // Context for a follow-up: what the answer after it was based on, as part of that answer.
                if (kept.peekFirst() instanceof AiMessage answer) {
                    String with = ToolTurnText.of(turn) + "\n\n" + answer.text();
                    int toolCost = estimate(turn.text()) + 8;
                    if (used + toolCost <= budget) {
                        kept.removeFirst();
                        kept.addFirst(AiMessage.from(with));
                        used += toolCost;
                    }
                }
                continue;
            }
            ChatMessage message = null;
            int cost = 0;
            if (files && !filesLeftOut) {
                AttachmentContent.Built built = AttachmentContent.of(userText(turn, manyPeople), turn.attachments(),
                        media);
                cost = built.tokens() + 8;
                if (kept.isEmpty() || used + cost <= budget) {
                    message = UserMessage.from(built.contents());
                } else {
                    filesLeftOut = true; // this turn's files and every older one's go before any text
                }
            }
            if (message == null && files) {
                String text = userText(turn, manyPeople);
                String line = (text.isBlank() ? "" : text + "\n") + AttachmentContent.leftOut(turn.attachments());
                message = UserMessage.from(line);
                cost = estimate(line) + 8;
            } else if (message == null) {
                message = toMessage(turn, manyPeople);
                cost = estimate(turn.text()) + 8;
            }
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
            Role role = history.get(i).role();
            if (role != Role.SYSTEM && role != Role.SUMMARY && role != Role.TOOL) {
                n++;
            }
        }
        return n;
    }

    /** The system prompt followed by the summary, marked as such so the model neither quotes it nor answers it. */
    static String withSummary(String systemPrompt, Turn summary) {
        return systemPrompt + "\n\n[Summary of the earlier conversation, turns 1-" + summary.summary().throughTurn()
                + ", written to stand in for them; the messages after it follow]\n" + summary.text();
    }

    private static ChatMessage toMessage(Turn turn, boolean manyPeople) {
        if (turn.role() == Role.ASSISTANT) {
            return AiMessage.from(turn.text());
        }
        return UserMessage.from(userText(turn, manyPeople));
    }

    /** A user turn's text, starting with its author's name where several people talk. */
    private static String userText(Turn turn, boolean manyPeople) {
        String name = turn.authorName().isBlank() ? turn.authorId() : turn.authorName();
        return manyPeople && !name.isBlank() ? name + ": " + turn.text() : turn.text();
    }

    /** About three characters a token: fewer than the usual four for English, so the prompt errs on the small side. */
    static int estimate(String text) {
        return (text.length() + 2) / 3 + 1;
    }
}

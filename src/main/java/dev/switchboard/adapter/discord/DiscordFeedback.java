package dev.switchboard.adapter.discord;

import dev.switchboard.answering.Verdicts;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Verdict;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import net.dv8tion.jda.api.components.actionrow.ActionRow;
import net.dv8tion.jda.api.components.buttons.Button;
import net.dv8tion.jda.api.entities.emoji.Emoji;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 👍 / 👎 on Discord answers: two buttons on an answer's last message, pressed as a component interaction
 * (INTERACTION_CREATE type 3) and answered ephemerally. A button's custom id names the verdict, the conversation's
 * channel and thread and the id the answer's turn holds for the message ({@code fb:g:<channel>:<thread>:<message>});
 * a press counts only where the interaction happened in that channel or thread, and only when the store finds an
 * answer there carrying that message ({@link Verdicts}). Thread-safe.
 */
final class DiscordFeedback extends ListenerAdapter {

    private static final Logger log = LoggerFactory.getLogger(DiscordFeedback.class);
    static final String PREFIX = "fb:";
    static final int MAX_CUSTOM_ID = 100;
    static final String ELSEWHERE = "That feedback can't be taken: it doesn't belong to this channel.";

    /** A sink that can put buttons under one of its messages, leaving the text as it is. */
    interface Buttons {
        CompletionStage<Void> addButtons(String messageId, ActionRow row);
    }

    private final Verdicts verdicts;

    DiscordFeedback(Verdicts verdicts) {
        this.verdicts = verdicts;
    }

    /** The row of 👍 and 👎 for the answer message {@code messageId} of {@code key}; empty if ids are too long. */
    static Optional<ActionRow> row(ConversationKey key, String messageId) {
        String where = ":" + key.channel() + ":" + key.thread() + ":" + messageId;
        if ((PREFIX + "g" + where).length() > MAX_CUSTOM_ID) {
            return Optional.empty();
        }
        return Optional.of(ActionRow.of(
                Button.secondary(PREFIX + "g" + where, Emoji.fromUnicode("👍")),
                Button.secondary(PREFIX + "b" + where, Emoji.fromUnicode("👎"))));
    }

    /**
     * Puts the buttons under the answer's last message, one more edit paced within the reply's budgets; a failure
     * only costs the buttons.
     */
    static void attach(Buttons sink, List<dev.switchboard.live.Budget> budgets, ConversationKey key,
                       String messageId) {
        row(key, messageId).ifPresent(row -> dev.switchboard.live.ExtraWrite.afterAnswers(budgets,
                () -> sink.addButtons(messageId, row)).exceptionally(e -> {
                    log.warn("discord: the feedback buttons could not be added: {}", e.toString());
                    return null;
                }));
    }

    @Override
    public void onButtonInteraction(ButtonInteractionEvent event) {
        String id = event.getComponentId();
        if (id == null || !id.startsWith(PREFIX)) {
            return; // someone else's button
        }
        event.reply(press(event, id)).setEphemeral(true).queue(ok -> { }, error -> log.debug(
                "discord: a feedback press could not be answered: {}", error.toString()));
    }

    private String press(ButtonInteractionEvent event, String id) {
        List<String> parts = List.of(id.substring(PREFIX.length()).split(":", 4));
        Optional<Verdict> verdict = parts.isEmpty() ? Optional.empty()
                : Verdict.ofLabel(parts.getFirst().equals("g") ? "good" : parts.getFirst().equals("b") ? "bad" : "");
        if (parts.size() != 4 || verdict.isEmpty() || parts.get(3).isEmpty()) {
            log.warn("discord: refused a feedback press with a custom id the buttons never carry");
            return Verdicts.NOT_AN_ANSWER;
        }
        String channel = parts.get(1);
        String thread = parts.get(2);
        String here = event.getChannelId();
        if (!channel.equals(here) && !thread.equals(here)) {
            log.warn("discord: refused a feedback press naming another channel");
            return ELSEWHERE;
        }
        String message = parts.get(3);
        String pressed = message.startsWith("channel:") ? message.substring("channel:".length()) : message;
        if (!pressed.equals(InteractionSink.ORIGINAL) && !pressed.equals(event.getMessageId())) {
            log.warn("discord: refused a feedback press naming another message");
            return Verdicts.NOT_AN_ANSWER;
        }
        String guild = event.isFromGuild() && event.getGuild() != null ? event.getGuild().getId() : DiscordRules.DM;
        ConversationKey key;
        try {
            key = DiscordRules.key(guild, channel, thread);
        } catch (IllegalArgumentException e) {
            return Verdicts.NOT_AN_ANSWER;
        }
        return verdicts.give(key, message, event.getUser().getId(), verdict.get()).userMessage();
    }
}

package dev.switchboard.adapter.discord;

import dev.switchboard.live.ReplySink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import net.dv8tion.jda.api.entities.channel.concrete.ThreadChannel;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;

/**
 * A reply in a Discord channel, thread or DM: posted and edited as the bot, at most 2,000 characters a message,
 * with no mention able to ping anyone. In reply-chain mode the first message answers the user's message. An archived
 * thread is reopened before writing. Thread-safe.
 */
final class ChannelSink implements ReplySink {

    static final int MAX_CHARS = 2_000;

    private final MessageChannel channel;
    private final String replyTo;
    private final boolean silent;
    private final Consumer<String> posted;
    private volatile boolean first = true;

    /**
     * @param replyTo the message the first reply message answers (reply chains); null for none
     * @param posted told each new message's id, so replies to it find the conversation
     */
    ChannelSink(MessageChannel channel, String replyTo, boolean silent, Consumer<String> posted) {
        this.channel = channel;
        this.replyTo = replyTo;
        this.silent = silent;
        this.posted = posted;
    }

    @Override
    public CompletionStage<String> post(String text) {
        return reopened().thenCompose(v -> Writes.submit(() -> {
            var action = channel.sendMessage(Writes.create(text, silent));
            return first && replyTo != null ? action.setMessageReference(replyTo).failOnInvalidReply(false) : action;
        })).thenApply(message -> {
            first = false;
            posted.accept(message.getId());
            return message.getId();
        });
    }

    @Override
    public CompletionStage<Void> edit(String messageId, String text) {
        return Writes.submit(() -> channel.editMessageById(messageId, Writes.edit(text))).thenApply(m -> null);
    }

    @Override
    public CompletionStage<Void> delete(String messageId) {
        return Writes.submit(() -> channel.deleteMessageById(messageId));
    }

    /** Answering in an archived thread reopens it; where the bot may not, the failure says why. */
    private CompletableFuture<Void> reopened() {
        if (channel instanceof ThreadChannel thread && thread.isArchived()) {
            return Writes.submit(() -> thread.getManager().setArchived(false));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public int maxChars() {
        return MAX_CHARS;
    }

    @Override
    public String format(String markdown) {
        return DiscordMarkdown.FORMAT.format(markdown);
    }

    /** Nothing before the first words: Discord shows "typing…" (or the deferred "thinking…") meanwhile. */
    @Override
    public String placeholder() {
        return "";
    }
}

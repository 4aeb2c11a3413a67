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
 * thread is reopened before writing. The place may still be on its way (a thread being opened while the answer
 * starts): writes wait for it. Thread-safe.
 */
final class ChannelSink implements ReplySink, DiscordFeedback.Buttons {

    /** Asks about {@code confirm}ed tools; unset, they are declined. */
    final dev.switchboard.live.ApprovalHook approvals = new dev.switchboard.live.ApprovalHook();

    @Override
    public java.util.concurrent.CompletableFuture<Boolean> askApproval(dev.switchboard.routing.ToolStatus call) {
        return approvals.ask(call);
    }

    static final int MAX_CHARS = 2_000;

    /**
     * Where the reply goes.
     *
     * @param replyTo the message the first reply message answers (reply chains); null for none
     */
    record Place(MessageChannel channel, String replyTo) { }

    private final CompletableFuture<Place> place;
    private final boolean silent;
    private final Consumer<String> posted;
    private volatile boolean first = true;

    /**
     * @param place where the reply goes, once known; it never fails
     * @param posted told each new message's id, so replies to it find the conversation
     */
    ChannelSink(CompletableFuture<Place> place, boolean silent, Consumer<String> posted) {
        this.place = place;
        this.silent = silent;
        this.posted = posted;
    }

    @Override
    public CompletionStage<String> post(String text) {
        return place.thenCompose(p -> reopened(p.channel()).thenCompose(v -> Writes.submit(() -> {
            var action = p.channel().sendMessage(Writes.create(text, silent));
            return first && p.replyTo() != null
                    ? action.setMessageReference(p.replyTo()).failOnInvalidReply(false) : action;
        }))).thenApply(message -> {
            first = false;
            posted.accept(message.getId());
            return message.getId();
        });
    }

    @Override
    public CompletionStage<Void> edit(String messageId, String text) {
        return place.thenCompose(p -> Writes.submit(() -> p.channel().editMessageById(messageId, Writes.edit(text))))
                .thenApply(m -> null);
    }

    @Override
    public CompletionStage<Void> delete(String messageId) {
        return place.thenCompose(p -> Writes.submit(() -> p.channel().deleteMessageById(messageId)));
    }

    @Override
    public CompletionStage<Void> addButtons(String messageId, net.dv8tion.jda.api.components.actionrow.ActionRow row) {
        return place.thenCompose(p -> Writes.submit(() -> p.channel().editMessageById(messageId, Writes.components(row))))
                .thenApply(m -> null);
    }

    /** Answering in an archived thread reopens it; where the bot may not, the failure says why. */
    private static CompletableFuture<Void> reopened(MessageChannel channel) {
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

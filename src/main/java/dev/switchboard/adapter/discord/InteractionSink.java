package dev.switchboard.adapter.discord;

import dev.switchboard.live.ReplySink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.interactions.InteractionHook;

/**
 * A reply to {@code /ask}: the deferred response ("thinking…") becomes the first message, later messages are
 * follow-ups. The interaction token lives 15 minutes; a little before that, new messages go to the channel as
 * ordinary bot messages, and edits of the token's messages fail so the engine continues in a new one.
 */
final class InteractionSink implements ReplySink, DiscordFeedback.Buttons {

    static final String ORIGINAL = "@original";
    /** Webhook edits stop this long before Discord's 15 minutes, so none is cut off mid-flight. */
    static final Duration TOKEN_LIFE = Duration.ofMinutes(14);

    private final InteractionHook hook;
    private final MessageChannel channel;
    private final boolean silent;
    private final Clock clock;
    private final Instant deferredAt;
    private final Consumer<String> posted;
    private volatile boolean originalUsed;
    /** Which write has the deferred response: the answer's first words or an approval question. */
    private final java.util.concurrent.atomic.AtomicReference<String> originalFor =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** Asks about {@code confirm}ed tools once the asker is known; unset, it declines. */
    final dev.switchboard.live.ApprovalHook approvals = new dev.switchboard.live.ApprovalHook();
    private volatile boolean lost;

    InteractionSink(InteractionHook hook, MessageChannel channel, boolean silent, Clock clock, Instant deferredAt,
                    Consumer<String> posted) {
        this.hook = hook;
        this.channel = channel;
        this.silent = silent;
        this.clock = clock;
        this.deferredAt = deferredAt;
        this.posted = posted;
    }

    private boolean tokenAlive() {
        return !lost && clock.instant().isBefore(deferredAt.plus(TOKEN_LIFE));
    }

    /**
     * The interaction cannot be answered (its deferral missed Discord's three seconds, e.g. behind a global rate
     * limit): the reply goes to the channel as ordinary messages instead of into a response nobody will see.
     */
    void interactionLost() {
        lost = true;
    }

    @Override
    public CompletionStage<String> post(String text) {
        if (!tokenAlive()) {
            return Writes.submit(() -> channel.sendMessage(Writes.create(text, silent))).thenApply(m -> {
                posted.accept(m.getId());
                return "channel:" + m.getId();
            });
        }
        if (!originalUsed && claimOriginal("answer")) {
            // Taken only once Discord has it: a failed first write is tried again on the original, not as a
            // follow-up that would leave "thinking…" behind.
            return Writes.submit(() -> hook.editOriginal(Writes.edit(text))).thenApply(m -> {
                originalUsed = true;
                posted.accept(m.getId());
                return ORIGINAL;
            });
        }
        return Writes.submit(() -> hook.sendMessage(text).setAllowedMentions(java.util.List.of())
                .setSuppressedNotifications(silent)).thenApply(m -> {
                    posted.accept(m.getId());
                    return m.getId();
                });
    }

    private boolean claimOriginal(String by) {
        return originalFor.compareAndSet(null, by) || by.equals(originalFor.get());
    }

    @Override
    public java.util.concurrent.CompletableFuture<Boolean> askApproval(dev.switchboard.routing.ToolStatus call) {
        return approvals.ask(call);
    }

    /**
     * Posts an approval question where the reply is: into the deferred response while the answer has not taken it
     * (a follow-up then would fill it anyway, and the answer's first words would overwrite the buttons), else as a
     * follow-up, and once the token is near its end as an ordinary message in the channel.
     */
    CompletableFuture<?> question(net.dv8tion.jda.api.utils.messages.MessageCreateData question) {
        if (!tokenAlive()) {
            return Writes.submit(() -> channel.sendMessage(question)).thenAccept(m -> posted.accept(m.getId()));
        }
        if (!originalUsed && claimOriginal("approval")) {
            originalUsed = true;
            return Writes.submit(() -> hook.editOriginal(
                    net.dv8tion.jda.api.utils.messages.MessageEditData.fromCreateData(question)))
                    .thenAccept(m -> posted.accept(m.getId()));
        }
        return Writes.submit(() -> hook.sendMessage(question)).thenAccept(m -> posted.accept(m.getId()));
    }

    @Override
    public CompletionStage<Void> edit(String messageId, String text) {
        if (messageId.startsWith("channel:")) {
            return Writes.submit(() -> channel.editMessageById(messageId.substring(8), Writes.edit(text)))
                    .thenApply(m -> null);
        }
        if (!tokenAlive()) {
            return CompletableFuture.failedFuture(new WriteFailed(WriteFailed.Kind.REJECTED, null,
                    "the interaction token has expired"));
        }
        return Writes.submit(() -> messageId.equals(ORIGINAL) ? hook.editOriginal(Writes.edit(text))
                : hook.editMessageById(messageId, Writes.edit(text))).thenApply(m -> null);
    }

    @Override
    public CompletionStage<Void> delete(String messageId) {
        if (messageId.startsWith("channel:")) {
            return Writes.submit(() -> channel.deleteMessageById(messageId.substring(8)));
        }
        return Writes.submit(() -> messageId.equals(ORIGINAL) ? hook.deleteOriginal()
                : hook.deleteMessageById(messageId));
    }

    @Override
    public CompletionStage<Void> addButtons(String messageId, net.dv8tion.jda.api.components.actionrow.ActionRow row) {
        if (messageId.startsWith("channel:")) {
            return Writes.submit(() -> channel.editMessageById(messageId.substring(8), Writes.components(row)))
                    .thenApply(m -> null);
        }
        if (!tokenAlive()) {
            return CompletableFuture.completedFuture(null); // the token's messages take no more edits
        }
        var edit = Writes.components(row);
        return Writes.submit(() -> messageId.equals(ORIGINAL) ? hook.editOriginal(edit)
                : hook.editMessageById(messageId, edit)).thenApply(m -> null);
    }

    @Override
    public int maxChars() {
        return ChannelSink.MAX_CHARS;
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

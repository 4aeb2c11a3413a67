package dev.switchboard.adapter.discord;

import dev.switchboard.live.ReplySink;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.concrete.ThreadChannel;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reply in a Discord channel, thread or DM: posted and edited as the bot, at most 2,000 characters a message,
 * with no mention able to ping anyone. In reply-chain mode the first message answers the user's message. An archived
 * thread is reopened before writing. The place may still be on its way (a thread being opened while the answer
 * starts): writes wait for it.
 *
 * <p>Each post of a reply to a message carries a nonce Discord enforces: the answered message's id and the post's place
 * in the reply ({@code 1234.0}, {@code 1234.1}), the number of messages the reply filled before it. A process stopped
 * after Discord took a post and before it noted the message leaves it unknown to the store; the next try at the same
 * answer, within Discord's few minutes, posts the same place with the same nonce, gets that message back instead of a
 * second one, and writes its own text into it. (A next try that ends in fewer messages never posts that place again:
 * such a message stays, as it did before nonces.) Thread-safe.
 */
final class ChannelSink implements ReplySink, DiscordFeedback.Buttons {

    private static final Logger log = LoggerFactory.getLogger(ChannelSink.class);

    /** Discord's longest nonce. */
    static final int MAX_NONCE = 25;

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
    private final String answering;
    /** The messages this reply posted or edited: how many places of the reply are filled, the next post's place. */
    private final Set<String> shown = ConcurrentHashMap.newKeySet();
    private volatile boolean first = true;

    /**
     * @param place where the reply goes, once known; it never fails
     * @param posted told each new message's id, so replies to it find the conversation
     * @param answering the id of the message the reply answers, for the posts' nonces; null for a random nonce each
     */
    ChannelSink(CompletableFuture<Place> place, boolean silent, Consumer<String> posted, String answering) {
        this.place = place;
        this.silent = silent;
        this.posted = posted;
        this.answering = answering;
    }

    @Override
    public CompletionStage<String> post(String text) {
        return place.thenCompose(p -> reopened(p.channel()).thenCompose(v -> {
            String nonce = nonce(answering, shown.size());
            return create(p, text, nonce).thenCompose(message -> nonce == null
                    ? CompletableFuture.completedFuture(message.getId()) : taken(p, message, text));
        })).thenApply(id -> {
            first = false;
            shown.add(id);
            posted.accept(id);
            return id;
        });
    }

    /** @param nonce the post's nonce, or null for JDA's random one */
    private CompletableFuture<Message> create(Place p, String text, String nonce) {
        return Writes.submit(() -> {
            var action = p.channel().sendMessage(Writes.create(text, silent));
            if (nonce != null) {
                action.setNonce(nonce);
            }
            return first && p.replyTo() != null
                    ? action.setMessageReference(p.replyTo()).failOnInvalidReply(false) : action;
        });
    }

    /**
     * The id of the message a post with a nonce got, once it shows {@code text}. A message an earlier try posted with
     * the same nonce comes back as it was left, and is edited to what this try posts; where that cannot be (it is gone
     * since, or another of this reply's places holds it), the text goes in a new message.
     */
    private CompletableFuture<String> taken(Place p, Message message, String text) {
        String id = message.getId();
        if (shown.contains(id)) {
            log.warn("discord: a post's nonce brought back a message this reply shows already; posting anew");
            return create(p, text, null).thenApply(Message::getId);
        }
        if (message.getContentRaw().strip().equals(text.strip())) {
            return CompletableFuture.completedFuture(id);
        }
        log.info("discord: a reply's message posted before a stop was found again; continuing in it");
        return Writes.submit(() -> message.editMessage(Writes.edit(text))).handle((edited, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(id);
            }
            log.info("discord: the message found again could not be continued ({}); posting anew",
                    Writes.failure(error).getMessage());
            return create(p, text, null).thenApply(Message::getId);
        }).thenCompose(next -> next);
    }

    /** The nonce of a reply's post at {@code position}, or null where the reply answers no message. */
    static String nonce(String answering, int position) {
        if (answering == null) {
            return null;
        }
        String nonce = answering + "." + position;
        return nonce.length() <= MAX_NONCE ? nonce
                : Integer.toHexString(answering.hashCode()) + "." + position; // never for a snowflake
    }

    @Override
    public CompletionStage<Void> edit(String messageId, String text) {
        return place.thenCompose(p -> Writes.submit(() -> p.channel().editMessageById(messageId, Writes.edit(text))))
                .thenApply(m -> {
                    shown.add(messageId);
                    return null;
                });
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

package dev.switchboard.answering;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.switchboard.conversation.ConversationKey;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each conversation's channel name with it, as the metadata note {@value #NOTE}, so that an export made later
 * (after a restart, or once the platform's name cache has let it go) names the channel; the key keeps only its id.
 * Written after the message that brought the name was acknowledged, in the background, once per conversation and
 * again only when the channel is renamed. An adapter that knows the name as the message arrives also hands it over
 * with the message ({@link Inbound#channelNote()}), and the store keeps it in the message's own write; then this
 * finds it there and writes nothing. Thread-safe.
 */
public final class ChannelNotes {

    private static final Logger log = LoggerFactory.getLogger(ChannelNotes.class);
    /** The metadata name of a conversation's channel name. */
    public static final String NOTE = "channel_name";
    /** The longest a note waits for a name still being looked up (off the acknowledgement path). */
    private static final Duration LOOKUP = Duration.ofSeconds(10);

    private final Conversations<?> conversations;
    private final Executor work;
    /** The name each conversation is known to carry: most messages then need neither a read nor a write. */
    private final Cache<ConversationKey, String> noted = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterAccess(Duration.ofHours(1)).build();

    /** @param work where a note that needs a read, a wait or a write is made */
    public ChannelNotes(Conversations<?> conversations, Executor work) {
        this.conversations = conversations;
        this.work = work;
    }

    /**
     * Notes the channel name on a conversation that just took a message, in the background when there is news.
     *
     * @param name the channel's name, maybe still being looked up; empty when the channel has none (a direct message)
     */
    public void keep(ConversationKey key, CompletableFuture<String> name) {
        if (name.isDone() && !name.isCompletedExceptionally()
                && (name.join().isEmpty() || name.join().equals(noted.getIfPresent(key)))) {
            return;
        }
        try {
            work.execute(() -> note(key, name));
        } catch (RejectedExecutionException stopping) {
            // the next message notes it
        }
    }

    private void note(ConversationKey key, CompletableFuture<String> lookup) {
        try {
            String name = lookup.get(LOOKUP.toMillis(), TimeUnit.MILLISECONDS);
            if (name.isEmpty() || name.equals(noted.getIfPresent(key))) {
                return;
            }
            if (!name.equals(conversations.notes(key).get(NOTE))) {
                conversations.note(key, NOTE, name);
            }
            noted.put(key, name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // No name this time (the platform did not say, the store refused): the next message tries again.
            log.debug("the channel name of {} is not noted yet: {}", key, e.toString());
        }
    }
}

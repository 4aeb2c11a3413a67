package dev.switchboard.adapter.slack;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.switchboard.answering.Conversations;
import dev.switchboard.conversation.ConversationKey;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each Slack conversation's channel name with it, as the metadata note {@value #NOTE}, so that an export made
 * later (after a restart, or once the name has left the cache) names the channel; the key keeps only its id. Written
 * after the message that needs it is acknowledged, from the names' cache or a conversations.info call, once per
 * conversation and again only when the channel is renamed. Direct messages have no name. Thread-safe.
 */
final class SlackChannelNotes {

    private static final Logger log = LoggerFactory.getLogger(SlackChannelNotes.class);
    /** The metadata name of a conversation's channel name. */
    static final String NOTE = "channel_name";
    /** The longest a note waits for conversations.info (off the acknowledgement path). */
    private static final Duration LOOKUP = Duration.ofSeconds(10);

    private final Conversations<?> conversations;
    private final SlackApi api;
    private final Executor work;
    /** The name each conversation is known to carry: most messages then need neither a read nor a write. */
    private final Cache<ConversationKey, String> noted = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterAccess(Duration.ofHours(1)).build();

    SlackChannelNotes(Conversations<?> conversations, SlackApi api, Executor work) {
        this.conversations = conversations;
        this.api = api;
        this.work = work;
    }

    /** Notes the channel name on a conversation that just took a message, in the background when there is news. */
    void keep(ConversationKey key) {
        if (SlackPlaces.isDm(key.channel())) {
            return;
        }
        CompletableFuture<String> name = api.channelNameLater(key.channel());
        if (name.isDone() && !name.isCompletedExceptionally() && name.join().equals(noted.getIfPresent(key))) {
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
            // No name this time (Slack did not say, the store refused): the next message tries again.
            log.debug("slack: the channel name of {} is not noted yet: {}", key, SlackApi.error(e));
        }
    }
}

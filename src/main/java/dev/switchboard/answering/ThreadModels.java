package dev.switchboard.answering;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The model each user chose for a thread ({@code /model provider/model}), kept durably as the conversation's metadata
 * note {@code user_model.<user id>}. Where a platform's command carries no thread (a Slack slash command, a Discord
 * command outside a thread) the choice is noted on the channel's scope, the conversation whose thread is
 * {@value #CHANNEL_SCOPE}, and holds for the user's threads in that channel that have no choice of their own. Reads
 * are cached briefly, so a reply costs no extra store read most of the time. Thread-safe.
 */
public final class ThreadModels {

    /** The thread part of a channel's scope conversation, where choices without a thread are noted. */
    public static final String CHANNEL_SCOPE = "-";
    private static final String PREFIX = "user_model.";

    private final ConversationStore store;
    private final Cache<ConversationKey, Map<String, String>> choices = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(1)).build();

    public ThreadModels(ConversationStore store) {
        this.store = store;
    }

    /** The channel scope of a conversation: where a choice made without a thread is noted. */
    public static ConversationKey channelScope(ConversationKey key) {
        return new ConversationKey(key.platform(), key.workspace(), key.channel(), CHANNEL_SCOPE);
    }

    /** The user's choice for a thread: its own, else the one for its channel; {@code provider/model}. */
    public Optional<String> choice(ConversationKey thread, String user) {
        String own = noted(thread).get(user);
        if (own != null || thread.thread().equals(CHANNEL_SCOPE)) {
            return Optional.ofNullable(own);
        }
        return Optional.ofNullable(noted(channelScope(thread)).get(user));
    }

    /**
     * Notes (or with null clears) the user's choice where they made it.
     *
     * @throws dev.switchboard.conversation.StoreException if it could not be stored
     */
    public void choose(ConversationKey place, String user, String providerSlashModel) {
        try {
            store.putMetadata(place, PREFIX + user, providerSlashModel);
        } finally {
            choices.invalidate(place);
        }
    }

    private Map<String, String> noted(ConversationKey key) {
        return choices.get(key, k -> {
            Map<String, String> byUser = new HashMap<>();
            store.load(k).map(Conversation::metadata).orElse(Map.of()).forEach((name, value) -> {
                if (name.startsWith(PREFIX) && value != null) {
                    byUser.put(name.substring(PREFIX.length()), value);
                }
            });
            return Map.copyOf(byUser);
        });
    }
}

package dev.switchboard.routing;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Turn;
import java.util.List;
import java.util.Objects;

/**
 * What to answer: the thread's turns, newest last (the message to answer is the last user turn), and the names the
 * system prompt may mention.
 *
 * @param key the conversation, which decides the route
 * @param history the stored turns, oldest first, ending with the message to answer
 * @param userName display name of the person being answered, for {user}
 * @param channelName the channel's display name, for {channel}
 * @param viewingChannel the name of the channel the user is looking at beside the conversation, for
 *     {viewing_channel}; may be empty
 * @param context text the model gets after the system prompt (a channel's messages to summarise); may be empty
 * @param threadModel the {@code provider/model} the asking user chose for this thread, or null; it answers first
 *     while {@code routing.user_models} allows it and no operator pinned a model (else the user's default does)
 * @param only the one target to ask, without the route and without fallback (a comparison), or null
 * @param blobs where the bytes of the history's attachments are read
 */
public record ReplyRequest(ConversationKey key, List<Turn> history, String userName, String channelName,
                           String viewingChannel, String context, String threadModel, Target only,
                           dev.switchboard.conversation.Blobs blobs) {

    public ReplyRequest(ConversationKey key, List<Turn> history, String userName, String channelName,
                        String viewingChannel, String context, String threadModel, Target only) {
        this(key, history, userName, channelName, viewingChannel, context, threadModel, only, null);
    }

    public ReplyRequest(ConversationKey key, List<Turn> history, String userName, String channelName) {
        this(key, history, userName, channelName, "", "", null, null);
    }

    /** The platform id of the person asked for: the author of the message answered. */
    public String userId() {
        return history.getLast().authorId();
    }

    public ReplyRequest {
        Objects.requireNonNull(key, "key");
        history = List.copyOf(history);
        if (history.isEmpty()) {
            throw new IllegalArgumentException("a reply needs at least the message to answer");
        }
        userName = userName == null ? "" : userName;
        channelName = channelName == null ? "" : channelName;
        viewingChannel = viewingChannel == null ? "" : viewingChannel;
        context = context == null ? "" : context;
        blobs = blobs == null ? dev.switchboard.conversation.Blobs.NONE : blobs;
    }
}

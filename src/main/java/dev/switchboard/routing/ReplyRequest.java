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
 */
public record ReplyRequest(ConversationKey key, List<Turn> history, String userName, String channelName,
                           String viewingChannel, String context) {

    public ReplyRequest(ConversationKey key, List<Turn> history, String userName, String channelName) {
        this(key, history, userName, channelName, "", "");
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
    }
}

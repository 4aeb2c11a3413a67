package dev.switchboard.adapter.slack;

import dev.switchboard.answering.ChannelNotes;
import dev.switchboard.conversation.ConversationKey;

/**
 * Slack's side of {@link ChannelNotes}: the name comes from the names' cache or a conversations.info call, which the
 * note waits for off the acknowledgement path; direct messages have no name to keep.
 */
final class SlackChannelNotes {

    private final ChannelNotes notes;
    private final SlackApi api;

    SlackChannelNotes(ChannelNotes notes, SlackApi api) {
        this.notes = notes;
        this.api = api;
    }

    /** Notes the channel name on a conversation that just took a message. */
    void keep(ConversationKey key) {
        if (!SlackPlaces.isDm(key.channel())) {
            notes.keep(key, api.channelNameLater(key.channel()));
        }
    }
}

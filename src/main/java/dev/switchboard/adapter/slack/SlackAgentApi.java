package dev.switchboard.adapter.slack;

import com.slack.api.model.Conversation;
import com.slack.api.model.Message;
import com.slack.api.model.assistant.SuggestedPrompt;
import dev.switchboard.config.SlackAssistant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The Web API calls of Slack's agent view, through {@link SlackApi} (its errors, its round-trip figures): suggested
 * prompts, thread titles, and what a channel summary reads (the channel's facts, its members, its latest messages).
 * Thread-safe.
 */
final class SlackAgentApi {

    /** Pages of conversations.members read at most to find one user (200 members a page). */
    static final int MAX_MEMBER_PAGES = 25;

    /** What conversations.info says of a channel the bot may ask about. */
    record ChannelFacts(String id, String name, boolean botMember, boolean im) { }

    private final SlackApi api;

    SlackAgentApi(SlackApi api) {
        this.api = api;
    }

    /**
     * Shows prompts in the agent view of direct-message channel {@code channel}: in thread {@code threadTs} for the
     * older assistant view, or, with null, for the newer agent view (which ignores a thread ts, and then does
     * nothing).
     */
    CompletableFuture<Void> suggestPrompts(String channel, String threadTs, String title,
                                           List<SlackAssistant.Prompt> prompts) {
        List<SuggestedPrompt> suggested = prompts.stream()
                .map(p -> new SuggestedPrompt(p.title(), p.message())).toList();
        return api.async("assistant.threads.setSuggestedPrompts", () -> api.methods()
                .assistantThreadsSetSuggestedPrompts(r -> r.channelId(channel).threadTs(threadTs).title(title)
                        .prompts(suggested))).thenApply(r -> null);
    }

    CompletableFuture<Void> title(String channel, String threadTs, String title) {
        return api.async("assistant.threads.setTitle", () -> api.methods().assistantThreadsSetTitle(r -> r
                .channelId(channel).threadTs(threadTs).title(title))).thenApply(r -> null);
    }

    /** The channel as the bot may see it; empty when Slack does not show it to the bot (private, or gone). */
    Optional<ChannelFacts> facts(String channel) {
        try {
            Conversation c = api.sync("conversations.info", () -> api.methods().conversationsInfo(r -> r
                    .channel(channel))).getChannel();
            if (c == null) {
                return Optional.empty();
            }
            return Optional.of(new ChannelFacts(channel, c.getName() == null ? "" : c.getName(), c.isMember(),
                    c.isIm()));
        } catch (dev.switchboard.live.ReplySink.WriteFailed e) {
            if (e.getMessage() != null && e.getMessage().endsWith("channel_not_found")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Whether {@code user} is a member of the channel, read from conversations.members ({@value #MAX_MEMBER_PAGES}
     * pages at most: a user not found by then counts as not a member); each page waits for {@code beforeEachPage}.
     */
    boolean isMember(String channel, String user, Runnable beforeEachPage) {
        String cursor = null;
        int pages = 0;
        do {
            beforeEachPage.run();
            String page = cursor;
            var response = api.sync("conversations.members", () -> api.methods().conversationsMembers(r -> r
                    .channel(channel).limit(200).cursor(page)));
            if (response.getMembers() != null && response.getMembers().contains(user)) {
                return true;
            }
            cursor = response.getResponseMetadata() == null ? null : response.getResponseMetadata().getNextCursor();
        } while (cursor != null && !cursor.isEmpty() && ++pages < MAX_MEMBER_PAGES);
        return false;
    }

    /** The channel's latest top-level messages, newest first, {@code limit} at most (one call). */
    List<Message> latest(String channel, int limit) {
        var response = api.sync("conversations.history", () -> api.methods().conversationsHistory(r -> r
                .channel(channel).limit(limit)));
        return response.getMessages() == null ? List.of() : response.getMessages();
    }
}

package dev.switchboard.adapter.discord;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.switchboard.answering.Admission;
import dev.switchboard.answering.ChannelNotes;
import dev.switchboard.answering.Conversations;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.answering.Inbound;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.ConversationKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.Role;
import net.dv8tion.jda.api.entities.channel.ChannelType;
import net.dv8tion.jda.api.entities.channel.concrete.ThreadChannel;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.events.message.MessageDeleteEvent;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.sharding.ShardManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discord's messages into conversations: each message the rules ({@link DiscordRules}) say is for the bot is stored
 * and its reply scheduled, in a thread opened on it when that is how the bot answers. A deleted question stops its
 * reply. Thread-safe.
 */
final class DiscordIntake extends ListenerAdapter {

    private static final Logger log = LoggerFactory.getLogger(DiscordIntake.class);
    /** How far back a message left unanswered by a stop is still answered at start. */
    static final Duration LEFTOVER_WINDOW = Duration.ofHours(1);

    private final SwitchboardConfig.Discord config;
    private final Conversations<ReplySurface> conversations;
    private final DiscordPolicy policy;
    private final DiscordReplies replies;
    /** Keeps each conversation's channel name for exports; Discord names the channel in every event. */
    private final ChannelNotes channelNotes;
    /** Which conversation a user message being answered belongs to, so deleting it can stop the reply. */
    private final Cache<String, ConversationKey> byUserMessage = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(Duration.ofHours(1)).build();
    private volatile boolean stopping;

    DiscordIntake(SwitchboardConfig.Discord config, Conversations<ReplySurface> conversations, DiscordPolicy policy,
                  DiscordReplies replies) {
        this.config = config;
        this.conversations = conversations;
        this.policy = policy;
        this.channelNotes = new ChannelNotes(conversations, Thread.ofVirtual().name("discord-notes")::start);
        this.replies = replies;
    }

    private volatile DiscordFiles files;

    /** Reads the attachments that come with messages; without it they are ignored. */
    DiscordIntake files(DiscordFiles reader) {
        this.files = reader;
        return this;
    }

    void stop() {
        stopping = true;
    }

    @Override
    public void onMessageReceived(MessageReceivedEvent event) {
        try {
            if (!stopping) {
                onMessage(event);
            }
        } catch (RuntimeException e) {
            log.error("discord: a message could not be handled", e);
        }
    }

    @Override
    public void onMessageDelete(MessageDeleteEvent event) {
        ConversationKey key = byUserMessage.getIfPresent(event.getMessageId());
        if (key != null && conversations.cancel(key, event.getMessageId(), "the question was deleted")) {
            log.info("discord: a question was deleted; its reply was stopped");
        }
    }

    private void onMessage(MessageReceivedEvent event) {
        DiscordRules.Decision decision = DiscordRules.decide(heard(event), config.threads(), config.access(),
                conversations::knows, replies::conversationOf, files != null
                        && !event.getMessage().getAttachments().isEmpty());
        switch (decision) {
            case DiscordRules.Decision.Ignore ignore -> { }
            case DiscordRules.Decision.Answer answer -> take(event, answer.key(),
                    replies.inChannel(answer.key(), CompletableFuture.completedFuture(new ChannelSink.Place(
                            event.getChannel(), answer.replyTo())), event.getChannel().getId(),
                            event.getAuthor().getId(), event.getMessageId()),
                    CompletableFuture.completedFuture(event.getChannel()), answer.question());
            case DiscordRules.Decision.OpenThread open -> openThread(event, open);
        }
    }

    /**
     * The thread's id is the message's: the conversation is known before Discord answers, so the answer starts while
     * the thread is being opened (which waits its turn in the bot's global allowance) and its first words wait only
     * for whichever comes last. Where the thread cannot be opened, the answer goes to the channel as a reply.
     */
    private void openThread(MessageReceivedEvent event, DiscordRules.Decision.OpenThread open) {
        Message message = event.getMessage();
        MessageChannel channel = event.getChannel();
        replies.gate().opening(); // edits give way to the thread from now, not only once JDA sends it
        CompletableFuture<ChannelSink.Place> place = Writes.submit(() -> message.createThreadChannel(open.name()))
                .whenComplete((thread, error) -> replies.gate().opened())
                .handle((thread, error) -> {
                    if (error == null) {
                        return new ChannelSink.Place(thread, null);
                    }
                    log.info("discord: could not open a thread ({}); answering in the channel",
                            Writes.failure(error).getMessage());
                    return new ChannelSink.Place(channel, message.getId());
                });
        ConversationKey key = DiscordRules.key(event.getGuild().getId(), channel.getId(), message.getId());
        take(event, key, replies.inChannel(key, place, message.getId(), event.getAuthor().getId(), message.getId()),
                place.thenApply(ChannelSink.Place::channel),
                open.question());
    }

    /** A message as the rules read it. */
    static DiscordRules.Heard heard(MessageReceivedEvent event) {
        Message message = event.getMessage();
        String self = event.getJDA().getSelfUser().getId();
        boolean inThread = event.isFromGuild() && event.getChannelType().isThread();
        ThreadChannel thread = inThread ? event.getChannel().asThreadChannel() : null;
        Message referenced = message.getReferencedMessage();
        List<String> roles = event.getMember() == null ? List.of()
                : event.getMember().getRoles().stream().map(Role::getId).toList();
        return new DiscordRules.Heard(self, event.getAuthor().getId(), event.getAuthor().isBot(),
                event.isWebhookMessage(), message.getType().isSystem(),
                event.isFromGuild() ? event.getGuild().getId() : null,
                thread != null ? thread.getParentChannel().getId() : event.getChannel().getId(),
                thread != null ? thread.getId() : null,
                event.isFromGuild() && event.getChannelType() == ChannelType.TEXT, roles,
                message.getMentions().isMentioned(event.getJDA().getSelfUser(), Message.MentionType.USER),
                message.getContentRaw(), message.getId(),
                referenced == null ? null : referenced.getAuthor().getId(),
                referenced == null ? null : referenced.getId());
    }

    /** Stores the message and schedules its reply in {@code reply}; a refusal goes to {@code replyIn}. */
    private void take(MessageReceivedEvent event, ConversationKey conversation, DiscordThread reply,
                      CompletableFuture<MessageChannel> replyIn, String question) {
        Message message = event.getMessage();
        byUserMessage.put(message.getId(), conversation);
        String channelNote = channelName(event);
        Inbound inbound = new Inbound(conversation, message.getId(), event.getAuthor().getId(),
                event.getMember() != null ? event.getMember().getEffectiveName() : event.getAuthor().getEffectiveName(),
                question, message.getTimeCreated().toInstant(),
                event.isFromGuild() ? event.getChannel().getName() : "",
                files == null ? List.of() : files.of(message.getAttachments()), channelNote);
        Admission admission;
        try {
            admission = conversations.submit(inbound, reply, policy.of(event.getJDA()));
        } catch (RuntimeException e) {
            // Discord never delivers a message again: say so rather than stay silent.
            log.error("discord: a message could not be stored", e);
            admission = new Admission.Refused("I couldn't take that message just now (storage failed). Please send"
                    + " it again.");
        }
        if (admission instanceof Admission.Accepted) {
            channelNotes.keep(conversation, CompletableFuture.completedFuture(channelNote));
        }
        if (admission instanceof Admission.Refused refused) {
            replyIn.thenAccept(channel -> Writes.submit(() -> channel.sendMessage(
                    Writes.create(refused.userMessage(), true)).setMessageReference(message.getId())
                    .failOnInvalidReply(false)));
        }
    }

    /** The name of the channel a conversation belongs to (a thread's parent), empty in direct messages. */
    private static String channelName(MessageReceivedEvent event) {
        if (!event.isFromGuild()) {
            return "";
        }
        return event.getChannelType().isThread() ? event.getChannel().asThreadChannel().getParentChannel().getName()
                : event.getChannel().getName();
    }

    /**
     * Answers messages stored but never answered because the process stopped; Discord does not deliver them again.
     * Where the conversation's channel is no longer visible, they stay unanswered (logged).
     */
    void answerLeftovers(ShardManager shards) {
        // Also how another node's leftovers reach this one, when several nodes answer as one bot.
        // A channel this node does not see is then usual (another node's shard), so that is said at debug only.
        conversations.resumeWith(DiscordRules.PLATFORM, left -> resume(shards, left, true));
        for (Conversations.Unanswered left : conversations.unanswered(DiscordRules.PLATFORM, LEFTOVER_WINDOW)) {
            resume(shards, left, false);
        }
    }

    /** Whether the shard that receives the conversation's guild (DMs: shard 0) is connected in this process. */
    private static boolean connectedHere(ShardManager shards, ConversationKey key) {
        int shard = 0;
        if (!key.workspace().equals(DiscordRules.DM)) {
            try {
                shard = net.dv8tion.jda.api.utils.MiscUtil.getShardForGuild(key.workspace(), shards.getShardsTotal());
            } catch (NumberFormatException e) {
                return true; // not a snowflake: let the channel lookup decide
            }
        }
        net.dv8tion.jda.api.JDA jda = shards.getShardById(shard);
        return jda != null && jda.getStatus() == net.dv8tion.jda.api.JDA.Status.CONNECTED;
    }

    /**
     * Answers one stored message that has no answer, where its channel is still visible.
     *
     * @param polled offered by the nodes' shared poll, every second while it stays unanswered: an unseen channel is
     *     logged at debug
     */
    private void resume(ShardManager shards, Conversations.Unanswered left, boolean polled) {
        ConversationKey key = left.key();
        if (!connectedHere(shards, key)) {
            // Another node runs the shard of its guild (several nodes sharing the shards), or it is still connecting
            // here: whoever runs it connected answers it at a later poll.
            return;
        }
        String id = key.thread().equals(DiscordRules.DM) ? key.channel() : key.thread();
        MessageChannel channel = shards.getChannelById(MessageChannel.class, id);
        if (channel == null) {
            channel = shards.getChannelById(MessageChannel.class, key.channel());
        }
        if (channel == null) {
            if (polled) {
                log.debug("discord: cannot see the channel of an unanswered message in {}; leaving it", key);
            } else {
                log.warn("discord: cannot see the channel of an unanswered message in {}; leaving it", key);
            }
            return;
        }
        Inbound inbound = new Inbound(key, left.message().messageIds().getFirst(), left.message().authorId(),
                left.message().authorName(), left.message().text(), left.message().at(), "");
        try {
            conversations.submit(inbound, replies.inChannel(key, channel, inbound.messageId()),
                    policy.of(shards.getShards().getFirst()));
            log.info("discord: answering a message left unanswered when the service stopped, in {}", key);
        } catch (RuntimeException e) {
            log.warn("discord: could not resume an unanswered message in {}: {}", key, e.toString());
        }
    }
}

package dev.switchboard.adapter.discord;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.live.Budget;
import dev.switchboard.live.ReplySink;
import dev.switchboard.live.SharedBudgets;
import dev.switchboard.live.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;

/**
 * Where replies are written: the conversation's sink with the budgets its writes spend (the channel's edit allowance
 * and the live replies' share of the bot's global one; an interaction's own allowance for {@code /ask}), its typing
 * indicator, and which conversation each bot message belongs to, so replies to it continue there. Under the budgets,
 * every request passes the bot's {@link RequestGate}. Thread-safe.
 */
final class DiscordReplies {

    private final Ticker ticker;
    private final boolean silent;
    /** Per-channel budgets; threads come and go, so unused ones are dropped. */
    private final Cache<String, Budget> budgets = Caffeine.newBuilder().maximumSize(50_000)
            .expireAfterAccess(Duration.ofHours(1)).build();
    /** Which conversation a bot message belongs to, for replies to it (reply chains, /ask answers). */
    private final Cache<String, ConversationKey> byBotMessage = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofDays(7)).build();
    private final Budget global;
    /** Typing indicators: a courtesy, at most 10 a second, and only while the gate has room answers do not need. */
    private final Budget typing;
    private final RequestGate gate;
    /** Divides the bot's budget among the nodes of a cluster; shares 429s of the channels' among them too. */
    private volatile SharedBudgets shares = new SharedBudgets();

    /**
     * @param globalPerSecond the bot's global limit: live replies spend four fifths of what the gate lets through,
     *     the rest is left to threads being opened and other requests
     */
    private final java.util.function.BooleanSupplier feedback;

    /** @param feedback whether finished answers carry the feedback buttons */
    DiscordReplies(Ticker ticker, boolean silent, RequestGate gate, int globalPerSecond,
                   java.util.function.BooleanSupplier feedback) {
        this.feedback = feedback;
        this.ticker = ticker;
        this.silent = silent;
        this.gate = gate;
        this.global = new Budget("discord bot", Math.max(1, RequestGate.rate(globalPerSecond) * 4 / 5),
                Duration.ofSeconds(1), ticker);
        this.typing = new Budget("discord typing", 10, Duration.ofSeconds(1), 10, ticker);
    }

    /**
     * A reply in {@code replyIn} to the message {@code answering}, shown with "typing…" until its first words; its
     * first message stands on its own.
     */
    DiscordThread inChannel(ConversationKey key, MessageChannel replyIn, String answering) {
        return inChannel(key, CompletableFuture.completedFuture(new ChannelSink.Place(replyIn, null)),
                replyIn.getId(), null, answering);
    }

    /**
     * A reply whose place is still on its way (a thread being opened): the answer starts meanwhile, and its writes
     * and "typing…" wait for the place. It answers no one message: each post gets a nonce of its own.
     *
     * @param budgetOf the channel whose budget the reply spends (the thread's id, known before Discord answers)
     */
    DiscordThread inChannel(ConversationKey key, CompletableFuture<ChannelSink.Place> place, String budgetOf) {
        return inChannel(key, place, budgetOf, null, null);
    }

    /**
     * @param asker the user answered: {@code confirm}ed tools ask them; null declines such tools
     * @param answering the message answered: a post of a stopped try at it is continued, not posted twice
     */
    DiscordThread inChannel(ConversationKey key, CompletableFuture<ChannelSink.Place> place, String budgetOf,
                            String asker, String answering) {
        ChannelSink sink = new ChannelSink(place, silent, remember(key), answering);
        if (approvals != null && asker != null) {
            sink.approvals.set(approvals.asking(place, asker));
        }
        // The buttons spend the channel's budget; the bot-wide allowance they meet at the gate, not in the live
        // engine's share, where they would wait for every other reply's progress.
        return new DiscordThread(sink, budgets(budgetOf), typingIn(place), typing, gate::spare, ticker,
                feedback.getAsBoolean() ? key : null, List.of(channel(budgetOf)));
    }

    /**
     * A reply into an interaction's deferred response, which shows "thinking…" itself. Discord limits its writes per
     * interaction (about five per two seconds), not per channel, and not within the global limit.
     *
     * @param asker the user answered: {@code confirm}ed tools ask them in the response; null declines such tools
     */
    DiscordThread inInteraction(InteractionSink sink, ConversationKey key, String asker) {
        Budget perInteraction = new Budget("discord interaction", 5, Duration.ofSeconds(2), ticker);
        if (approvals != null && asker != null) {
            // The question spends the interaction's allowance like the answer's writes.
            sink.approvals.set(approvals.asking(question -> CompletableFuture.runAsync(() -> {
                try {
                    perInteraction.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.util.concurrent.CancellationException("stopped while waiting to ask");
                }
            }, r -> Thread.ofVirtual().name("discord-approval").start(r)).thenCompose(
                    ok -> sink.question(question)), asker));
        }
        return new DiscordThread(sink, List.of(perInteraction), null, typing, gate::spare, ticker,
                feedback.getAsBoolean() ? key : null, List.of(perInteraction));
    }

    private volatile DiscordApprovals approvals;

    /** The nodes of a cluster spend shares of the bot's global limit; call before the first reply. */
    void share(SharedBudgets shares) {
        this.shares = shares;
        shares.divided(global); // a channel's 429 pauses it too: only the gate's global 429s go to every node
        gate.onGlobalLimit = shares.add("discord global", gate);
    }

    /** Confirmed tools ask with Approve / Deny buttons where the reply is. */
    void useApprovals(DiscordApprovals approvals) {
        this.approvals = approvals;
    }

    /** Tells, for each new bot message, that it belongs to {@code key}. */
    Consumer<String> remember(ConversationKey key) {
        return id -> byBotMessage.put(id, key);
    }

    /** The conversation a bot message belongs to, or null when unknown. */
    ConversationKey conversationOf(String botMessageId) {
        return byBotMessage.getIfPresent(botMessageId);
    }

    /** The bot's gate for every REST request. */
    RequestGate gate() {
        return gate;
    }

    boolean silent() {
        return silent;
    }

    /** Shows "typing…" in the place once, when it is there. */
    private static Runnable typingIn(CompletableFuture<ChannelSink.Place> place) {
        return () -> place.thenAccept(p -> p.channel().sendTyping().queue(ok -> { }, error -> { }));
    }

    /**
     * A channel's five messages posted or edited per five seconds, the window taken 5 % longer than Discord's: five
     * writes paced exactly a window apart arrive closer together whenever the first is delayed more than the last
     * (JDA's queue, the gate), and with the reply's final text taken from the reserve that made six inside Discord's
     * window (the `discord-channel` benchmark's shared 429s).
     */
    static final Duration CHANNEL_WINDOW = Duration.ofMillis(5_250);

    /**
     * Every reply in a channel shares its edit allowance (about five writes per five seconds), and all the bot's. The
     * channel's is not divided among the nodes of a cluster: a thread is a channel of its own, answered by one node.
     */
    private List<Budget> budgets(String channelId) {
        return List.of(channel(channelId), global);
    }

    /** The channel's own budget, shared by every reply in it. */
    private Budget channel(String channelId) {
        return budgets.get(channelId,
                id -> shares.pausedTogether(new Budget("discord channel " + id, 5, CHANNEL_WINDOW, ticker)));
    }
}

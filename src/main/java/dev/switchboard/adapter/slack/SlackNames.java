package dev.switchboard.adapter.slack;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.switchboard.live.ReplySink.WriteFailed;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * People's and channels' names by Slack id (users.info, conversations.info), for prompts, stored turns and exports.
 * Each name is cached for an hour (a rename shows within it) and asked for by one call at a time: a second message
 * of the same person, or in the same channel, joins the call under way. On the acknowledgement path a caller waits
 * only for a call it started, and briefly, so a thread's later events never wait again for a name its first event
 * already waited for. A failed call is not cached; the next message asks again. Thread-safe.
 */
final class SlackNames {

    private static final Logger log = LoggerFactory.getLogger(SlackNames.class);
    /** The longest a message waits for a name before Slack's three-second acknowledgement. */
    static final Duration BEFORE_ACK = Duration.ofMillis(250);
    /** The longest a reply waits for a name (off the acknowledgement path). */
    static final Duration IN_REPLY = Duration.ofSeconds(1);

    private final AsyncCache<String, String> users = Caffeine.newBuilder().maximumSize(20_000)
            .expireAfterWrite(Duration.ofHours(1)).buildAsync();
    private final AsyncCache<String, String> channels = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofHours(1)).buildAsync();
    /**
     * conversations.info is Tier 3 (50+ a minute) per workspace. Names are a nicety: they get a budget of their own,
     * well inside the tier, and a message that finds it spent goes without the name rather than waiting.
     */
    private final Bucket channelInfoLimit = Bucket.builder()
            .addLimit(l -> l.capacity(10).refillGreedy(20, Duration.ofMinutes(1))).build();
    private final Function<String, CompletableFuture<String>> userInfo;
    private final Function<String, CompletableFuture<String>> channelInfo;

    /**
     * @param userInfo a user's display name from Slack
     * @param channelInfo a channel's name from Slack
     */
    SlackNames(Function<String, CompletableFuture<String>> userInfo,
               Function<String, CompletableFuture<String>> channelInfo) {
        this.userInfo = userInfo;
        this.channelInfo = channelInfo;
    }

    /** A user's name for a message being taken: cached, or from a call this caller starts, within a quarter second. */
    String userBeforeAck(String user) {
        return name(users, user, userInfo, BEFORE_ACK, false);
    }

    /** A user's name for a reply: cached, or from users.info within a second; empty when Slack does not say. */
    String user(String user) {
        return name(users, user, userInfo, IN_REPLY, true);
    }

    /**
     * A channel's name ({@code general}) for a message being taken: cached, or from a conversations.info call this
     * caller starts (when the budget allows) within a quarter second; otherwise empty. Direct messages have none.
     */
    String channelBeforeAck(String channel) {
        return SlackPlaces.isDm(channel) ? "" : name(channels, channel, this::askChannel, BEFORE_ACK, false);
    }

    /** A channel's name when Slack gives it, for work that may wait; empty for a direct message. */
    CompletableFuture<String> channel(String channel) {
        return SlackPlaces.isDm(channel) ? CompletableFuture.completedFuture("")
                : channels.get(channel, (id, executor) -> askChannel(id));
    }

    private CompletableFuture<String> askChannel(String channel) {
        return channelInfoLimit.tryConsume(1) ? channelInfo.apply(channel) : CompletableFuture.failedFuture(
                new WriteFailed(WriteFailed.Kind.RATE_LIMITED, null, "conversations.info: over the names' budget"));
    }

    private static String name(AsyncCache<String, String> cache, String id, Function<String,
            CompletableFuture<String>> ask, Duration wait, boolean waitForOthers) {
        if (id == null || id.isEmpty()) {
            return "";
        }
        boolean[] mine = new boolean[1];
        CompletableFuture<String> name = cache.get(id, (key, executor) -> {
            mine[0] = true;
            return ask.apply(key);
        });
        if (!mine[0] && !waitForOthers || name.isDone()) {
            return name.isDone() && !name.isCompletedExceptionally() ? name.join() : "";
        }
        try {
            return name.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } catch (ExecutionException | TimeoutException e) {
            log.debug("slack: no name for {} yet: {}", id, SlackApi.error(e));
            return "";
        }
    }
}

package dev.switchboard.answering;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.switchboard.conversation.UserAllowances;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;

/**
 * How many new messages each user may send, per platform, on the injected clock; in a cluster, in the store every node
 * reads ({@link #shareWith}). Thread-safe.
 */
final class UserRateLimits {

    private final Clock clock;
    /** The allowances every node of a cluster spends; null for this process's own. */
    private volatile UserAllowances shared;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofHours(1)).build();

    UserRateLimits(Clock clock) {
        this.clock = clock;
    }

    /** Takes one message from the user's allowance. @return zero if taken, else how long until one is free */
    Duration take(Inbound message, Conversations.RateLimit limit) {
        UserAllowances everyNode = shared;
        if (everyNode != null) {
            return everyNode.take(user(message), limit.messages(), limit.per());
        }
        Bucket bucket = buckets.get(user(message), u -> Bucket.builder()
                .addLimit(l -> l.capacity(limit.messages()).refillGreedy(limit.messages(), limit.per()))
                .withCustomTimePrecision(new TimeMeter() {
                    @Override
                    public long currentTimeNanos() {
                        return clock.millis() * 1_000_000L;
                    }

                    @Override
                    public boolean isWallClockBased() {
                        return true;
                    }
                })
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Duration.ZERO : Duration.ofNanos(probe.getNanosToWaitForRefill());
    }

    /** Gives back what {@link #take} took: the message was not taken after all. */
    void refund(Inbound message) {
        UserAllowances everyNode = shared;
        if (everyNode != null) {
            everyNode.refund(user(message));
            return;
        }
        Bucket bucket = buckets.getIfPresent(user(message));
        if (bucket != null) {
            bucket.addTokens(1);
        }
    }

    /** From now on the allowances are {@code allowances}, shared by the nodes of a cluster. */
    void shareWith(UserAllowances allowances) {
        this.shared = allowances;
    }

    private static String user(Inbound message) {
        return message.key().platform() + "\u0000" + message.authorId();
    }
}

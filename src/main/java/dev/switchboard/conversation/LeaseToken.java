package dev.switchboard.conversation;

import java.util.Objects;

/**
 * The lease a node answers a thread under, when several nodes share one store: the node's id and the lease's epoch,
 * which grows every time the thread's lease passes to a node that did not hold it. A write made under an older epoch
 * is a stale node's and is refused ({@link ConversationStore#append(ConversationKey, Turn, LeaseToken)}).
 *
 * @param holder the node's id
 * @param epoch the lease's epoch when the node took it
 */
public record LeaseToken(String holder, long epoch) {
    public LeaseToken {
        Objects.requireNonNull(holder, "holder");
    }
}

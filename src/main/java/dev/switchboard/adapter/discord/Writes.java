package dev.switchboard.adapter.discord;

import dev.switchboard.live.ReplySink.WriteFailed;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import net.dv8tion.jda.api.exceptions.ErrorResponseException;
import net.dv8tion.jda.api.exceptions.RateLimitedException;
import net.dv8tion.jda.api.requests.ErrorResponse;
import net.dv8tion.jda.api.requests.RestAction;
import net.dv8tion.jda.api.utils.messages.MessageCreateBuilder;
import net.dv8tion.jda.api.utils.messages.MessageCreateData;
import net.dv8tion.jda.api.utils.messages.MessageEditBuilder;
import net.dv8tion.jda.api.utils.messages.MessageEditData;

/**
 * Discord writes as the live engine needs them: message bodies that can ping nobody, and JDA's failures turned into
 * {@link WriteFailed} kinds. JDA already waits out 429s per route bucket; what reaches us is final.
 */
final class Writes {

    /** The message or its channel is gone: stop writing there. */
    /**
     * The message or its channel is gone, or the bot may no longer write there: stop, rather than send requests
     * that will fail (invalid requests count toward Discord's ban of the bot's address).
     */
    private static final Set<ErrorResponse> GONE = Set.of(ErrorResponse.UNKNOWN_MESSAGE, ErrorResponse.UNKNOWN_CHANNEL,
            ErrorResponse.UNKNOWN_WEBHOOK, ErrorResponse.UNKNOWN_INTERACTION, ErrorResponse.MISSING_ACCESS,
            ErrorResponse.MISSING_PERMISSIONS, ErrorResponse.THREAD_LOCKED);

    private Writes() {
    }

    /** A new message: no mention in it can ping anyone, the replied-to user included. */
    static MessageCreateData create(String text, boolean silent) {
        return new MessageCreateBuilder().setContent(text).setAllowedMentions(java.util.List.of())
                .mentionRepliedUser(false).setSuppressedNotifications(silent).build();
    }

    /** An edit: Discord parses mentions again on every edit, so the empty list goes with each one. */
    static MessageEditData edit(String text) {
        return new MessageEditBuilder().setContent(text).setAllowedMentions(java.util.List.of())
                .mentionRepliedUser(false).build();
    }

    /** An edit adding components (the feedback buttons), the text untouched; mentions stay harmless as in any edit. */
    static MessageEditData components(net.dv8tion.jda.api.components.MessageTopLevelComponent row) {
        return new MessageEditBuilder().setComponents(row).setAllowedMentions(java.util.List.of())
                .mentionRepliedUser(false).build();
    }

    /** Builds and runs a request (JDA may refuse while building, e.g. a missing permission), as a future. */
    static <T> CompletableFuture<T> submit(java.util.function.Supplier<? extends RestAction<T>> action) {
        try {
            return submit(action.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(failure(e));
        }
    }

    /** Runs a request, completing with its result or a {@link WriteFailed}. */
    static <T> CompletableFuture<T> submit(RestAction<T> action) {
        return action.submit().handle((value, error) -> {
            if (error == null) {
                return value;
            }
            throw failure(error);
        });
    }

    static WriteFailed failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof WriteFailed failed) {
            return failed;
        }
        if (cause instanceof net.dv8tion.jda.api.exceptions.InsufficientPermissionException missing) {
            return new WriteFailed(WriteFailed.Kind.GONE, null, "missing permission " + missing.getPermission());
        }
        if (cause instanceof RateLimitedException limited) {
            return new WriteFailed(WriteFailed.Kind.RATE_LIMITED, Duration.ofMillis(limited.getRetryAfter()),
                    "rate limited");
        }
        if (cause instanceof ErrorResponseException e) {
            if (e.getErrorResponse() != null && GONE.contains(e.getErrorResponse())) {
                return new WriteFailed(WriteFailed.Kind.GONE, null, e.getMeaning());
            }
            return new WriteFailed(WriteFailed.Kind.REJECTED, null, e.getErrorCode() + " " + e.getMeaning());
        }
        return new WriteFailed(WriteFailed.Kind.REJECTED, null, cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
    }
}

package dev.switchboard.answering;

import dev.switchboard.conversation.AssistantMeta;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Turn;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Starts a model's answer to a request and shows it, as it streams, where the platform shows replies: the port
 * {@link Conversations} answers through. The composition root implements it over the router and the live reply
 * engine. Implementations are thread-safe.
 *
 * @param <S> where a platform shows one reply; chat hands it over without looking inside
 */
public interface ReplyStarter<S> {

    /** What the user sees when the reply could not even be started. */
    String COULD_NOT_START = "Something went wrong on my side before I could answer. Please try again.";

    /**
     * Starts answering: the placeholder goes up at once, then the model's text. A reply that cannot be started once
     * the placeholder is up ends as a failure showing {@link #COULD_NOT_START}, not with an exception.
     *
     * @param footerOnFallback whether an answer that fell back names who answered
     */
    StartedReply start(AnswerRequest request, S surface, Resume resume, boolean footerOnFallback);

    /** Shows one line instead of an answer: something on our side failed before the reply could start. */
    StartedReply fail(S surface, Resume resume, String userMessage);

    /** A reply that never started (superseded or withdrawn first) ended: the platform clears what it showed for it. */
    void withdrawn(S surface, String reason);

    /**
     * What to answer: the thread's turns up to the message being answered, and the names the prompt may use.
     *
     * @param key the thread, which decides the route
     * @param history the turns in conversation order, ending with the message to answer
     * @param userName display name of the person answered; may be empty
     * @param channelName the channel's display name; may be empty
     * @param viewingChannel the name of the channel the user is looking at beside the conversation; may be empty
     * @param context text the model gets after the system prompt ({@link ThreadContext.Extra}); may be empty
     * @param blobs where the bytes of the history's attachments are read
     */
    record AnswerRequest(ConversationKey key, List<Turn> history, String userName, String channelName,
                         String viewingChannel, String context, dev.switchboard.conversation.Blobs blobs) {
        public AnswerRequest {
            Objects.requireNonNull(key, "key");
            history = List.copyOf(history);
            userName = userName == null ? "" : userName;
            channelName = channelName == null ? "" : channelName;
            viewingChannel = viewingChannel == null ? "" : viewingChannel;
            context = context == null ? "" : context;
            blobs = blobs == null ? dev.switchboard.conversation.Blobs.NONE : blobs;
        }

        public AnswerRequest(ConversationKey key, List<Turn> history, String userName, String channelName,
                             String viewingChannel, String context) {
            this(key, history, userName, channelName, viewingChannel, context, null);
        }

        public AnswerRequest(ConversationKey key, List<Turn> history, String userName, String channelName) {
            this(key, history, userName, channelName, "", "", null);
        }
    }

    /**
     * How a reply takes over an earlier, interrupted try at the same answer and keeps a durable note of what it shows.
     *
     * @param earlier the platform messages the earlier try left, in order; empty for a first try
     * @param remember makes the list of messages shown so far durable; called before a new message id is handed on
     * @param io where {@code remember} runs: never on the engine's own threads, which may hold its lock
     * @param mayWrite asked before every write to the platform: completes with whether this process may still write
     *     the thread (nodes sharing a store: it still holds the thread's lease; while it is fenced the answer waits
     *     until its heartbeat succeeds again); a false stops the reply without writing
     */
    record Resume(List<String> earlier, Consumer<List<String>> remember, Executor io,
                  Supplier<CompletionStage<Boolean>> mayWrite) {

        /** Always allowed: one process, every thread its own. */
        public static final Supplier<CompletionStage<Boolean>> ALWAYS =
                () -> CompletableFuture.completedFuture(true);

        public Resume {
            earlier = List.copyOf(earlier);
            Objects.requireNonNull(remember, "remember");
            Objects.requireNonNull(io, "io");
            Objects.requireNonNull(mayWrite, "mayWrite");
        }

        public Resume(List<String> earlier, Consumer<List<String>> remember, Executor io) {
            this(earlier, remember, io, ALWAYS);
        }
    }

    /**
     * A reply that ended and is shown.
     *
     * @param text the assistant turn to store: what the user ends up seeing, in the model's Markdown
     * @param messageIds the platform messages that show it
     * @param meta who answered and how; its {@code replyTo} is filled in by {@link Conversations}
     */
    record Answer(String text, List<String> messageIds, AssistantMeta meta, List<Turn> toolTurns) {

        public Answer(String text, List<String> messageIds, AssistantMeta meta) {
            this(text, messageIds, meta, List.of());
        }

        /** @param toolTurns the tool calls the answer made ({@code Role.TOOL} turns), stored before it */
        public Answer {
            toolTurns = toolTurns == null ? List.of() : List.copyOf(toolTurns);
            Objects.requireNonNull(text, "text");
            messageIds = List.copyOf(messageIds);
            Objects.requireNonNull(meta, "meta");
        }
    }

    /** A reply in progress. Thread-safe. */
    interface StartedReply {

        /** The reason a reply is stopped with when the service stops before it could finish. */
        String SHUTDOWN = "the service is stopping";

        /** Stops the reply where it is; what was shown stays, marked as stopped. */
        void cancel(String reason);

        /** Completes once the reply ended and its final text is shown (or could not be); never exceptionally. */
        CompletableFuture<Answer> answered();

        /** Once the answer is stored: the platform clears its status, and an earlier try's leftover messages go. */
        void finish();
    }
}

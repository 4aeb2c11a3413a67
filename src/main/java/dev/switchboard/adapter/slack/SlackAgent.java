package dev.switchboard.adapter.slack;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.slack.api.bolt.middleware.MiddlewareChain;
import com.slack.api.bolt.request.Request;
import com.slack.api.bolt.request.builtin.EventRequest;
import com.slack.api.bolt.response.Response;
import dev.switchboard.answering.ChatThread;
import dev.switchboard.answering.Conversations;
import dev.switchboard.answering.ThreadContext;
import dev.switchboard.config.SlackAssistant;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Turn;
import dev.switchboard.live.Budget;
import dev.switchboard.live.ReplySurface;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack's agent view (the split view where a user talks to the app). Events (read by {@link SlackAgentEvents}):
 * {@code app_home_opened} with tab {@code messages} (the agent messaging
 * experience) or {@code assistant_thread_started} (the older assistant view) show the suggested prompts;
 * {@code app_context_changed} or {@code assistant_thread_context_changed} say which channel the user looks at, kept
 * for {@code {viewing_channel}} and for a channel summary (only a channel the user is a member of is ever named to
 * the model or summarised: the event is not trusted to say what the user may see). A question in the
 * view gets a title for its thread; the message {@code summary_message} gets the viewed channel summarised.
 * Everything that calls Slack runs after the acknowledgement. Thread-safe.
 */
final class SlackAgent {

    private static final Logger log = LoggerFactory.getLogger(SlackAgent.class);
    /** The longest thread title set: Slack shows about this much in the thread list. */
    static final int MAX_TITLE_CHARS = 60;

    /**
     * The channel a user looks at; {@code visible} when the user is a member of it (else its name is not looked up,
     * and neither the prompt nor a summary gets anything of it).
     */
    record Viewing(String channel, String name, boolean visible) { }

    private final SlackAssistant config;
    private final SlackAgentApi agentApi;
    private final SlackApi api;
    private final SlackChannelSummary summary;
    private final Conversations<ReplySurface> conversations;
    private final Budget allowance;
    private final Executor work;
    private final String botTeam;
    /**
     * The channel each user ("team user") looks at, as the latest context event said: put when the event is taken,
     * completed (null: none the user may see) once checked, so an answer started meanwhile waits for it.
     */
    private final Cache<String, CompletableFuture<Viewing>> viewing = Caffeine.newBuilder().maximumSize(50_000)
            .expireAfterWrite(Duration.ofHours(12)).build();
    /** How long an answer waits for the check of the channel its user looks at. */
    private static final Duration VIEWING_WAIT = Duration.ofSeconds(5);

    SlackAgent(SlackAssistant config, SlackAgentApi agentApi, SlackApi api, SlackChannelSummary summary,
               Conversations<ReplySurface> conversations, Function<String, Budget> allowance, Executor work,
               String botTeam) {
        this.config = config;
        this.agentApi = agentApi;
        this.api = api;
        this.summary = summary;
        this.conversations = conversations;
        this.allowance = allowance.apply(botTeam);
        this.work = work;
        this.botTeam = botTeam;
    }

    boolean enabled() {
        return config.enabled();
    }

    /** Bolt middleware: takes the agent view's events before Bolt looks for a handler (it has none for them). */
    Response middleware(Request<?> request, Response response, MiddlewareChain chain) throws Exception {
        if (request instanceof EventRequest e && SlackAgentEvents.isAgentEvent(e.getEventType())) {
            if (config.enabled()) {
                onEvent(e.getRequestBodyAsString());
            }
            return Response.ok();
        }
        return chain.next(request);
    }

    /** One agent-view event from its raw JSON; anything malformed or out of bounds is dropped with a debug line. */
    void onEvent(String body) {
        SlackAgentEvents.parse(body, botTeam).ifPresent(event -> {
            switch (event) {
                case SlackAgentEvents.Opened o -> opened(o.team(), o.user(), o.dm(), o.threadTs(), o.seen());
                case SlackAgentEvents.Looking l -> remember(l.team(), l.user(), l.channel());
            }
        });
    }

    /** The view opened: the prompts for what the user looks at, and that channel kept (when the event names one). */
    private void opened(String team, String user, String dm, String threadTs, String seen) {
        CompletableFuture<Viewing> now = seen != null ? remember(team, user, seen) : current(team, user);
        later(() -> {
            Viewing v = await(now);
            List<SlackAssistant.Prompt> prompts = config.promptsFor(team, v == null || !v.visible() ? null
                    : v.channel());
            if (prompts.isEmpty()) {
                return;
            }
            acquire();
            agentApi.suggestPrompts(dm, threadTs, config.promptsTitle(), prompts).exceptionally(e -> {
                log.warn("slack: could not show the suggested prompts: {}", SlackApi.error(e));
                return null;
            });
        });
    }

    /**
     * Keeps the channel {@code user} looks at, checked after the acknowledgement: a channel the user is not a member
     * of is kept as not visible, so that a summary of it is refused; none forgets the one before. The thread notes it
     * with its next message ({@link #taken}): a note now would store a thread that holds no message yet.
     *
     * @return what is kept, once checked (null: nothing)
     */
    private CompletableFuture<Viewing> remember(String team, String user, String channel) {
        CompletableFuture<Viewing> checked = new CompletableFuture<>();
        viewing.put(team + " " + user, checked);
        later(() -> {
            Viewing now = null;
            try {
                if (channel != null && summary.memberOf(channel, user)) {
                    now = new Viewing(channel, api.channelNameLater(channel)
                            .completeOnTimeout("", VIEWING_WAIT.toSeconds(), TimeUnit.SECONDS)
                            .exceptionally(e -> "").join(), true);
                } else if (channel != null) {
                    log.debug("slack: a user looks at a channel they are not a member of; nothing of it is used");
                    now = new Viewing(channel, "", false);
                }
            } finally {
                checked.complete(now);
            }
        });
        return checked;
    }

    private CompletableFuture<Viewing> current(String team, String user) {
        CompletableFuture<Viewing> v = viewing.getIfPresent(team + " " + user);
        return v != null ? v : CompletableFuture.completedFuture(null);
    }

    /** The check's result, waited for a moment at most; null when there is none (yet). */
    private static Viewing await(CompletableFuture<Viewing> checked) {
        try {
            return checked.get(VIEWING_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return null;
        }
    }

    /** Whether {@code text} asks for the viewed channel's summary (case, spaces and trailing punctuation aside). */
    boolean asksForSummary(String text) {
        return normal(text).equals(normal(config.summaryMessage()));
    }

    private static String normal(String text) {
        return text.strip().replaceAll("\\s+", " ").replaceAll("[.!?…]+$", "").toLowerCase(Locale.ROOT);
    }

    /**
     * The thread answering a direct message in the view: it knows the channel the user looks at (waiting a moment
     * for a check under way), and a summary request gets that channel's messages (or a line saying why not).
     */
    ChatThread<ReplySurface> thread(ChatThread<ReplySurface> plain, ConversationKey key, String team, String user,
                                    String text, boolean dm) {
        if (!config.enabled() || !dm) {
            return plain;
        }
        CompletableFuture<Viewing> seen = current(team, user);
        boolean summarise = asksForSummary(text);
        return new InView(plain, () -> {
            Viewing v = await(seen);
            return v == null || !v.visible() ? "" : v.name();
        }, () -> {
            if (!summarise) {
                return ThreadContext.NONE;
            }
            Viewing v = await(seen);
            return summary.context(v != null ? v.channel() : notedChannel(key), user);
        });
    }

    private String notedChannel(ConversationKey key) {
        return conversations.notes(key).get(ThreadContext.VIEWING_CHANNEL_NOTE);
    }

    /**
     * A message in the view was taken: a new thread gets its title from the question, and the thread notes the
     * channel the user looks at. After the acknowledgement.
     *
     * @param newThread whether the message starts the thread
     * @param threadTs the Slack thread it is answered in
     */
    void taken(ConversationKey key, String team, String user, String channel, String threadTs, String text,
               boolean newThread) {
        if (!config.enabled() || threadTs == null) {
            return;
        }
        CompletableFuture<Viewing> seen = current(team, user);
        later(() -> {
            if (newThread) {
                acquire();
                agentApi.title(channel, threadTs, title(text)).exceptionally(e -> {
                    log.debug("slack: could not title a thread: {}", SlackApi.error(e));
                    return null;
                });
            }
            Viewing v = await(seen);
            if (v != null && v.visible()) {
                note(key, v);
            }
        });
    }

    private void note(ConversationKey key, Viewing v) {
        try {
            var notes = conversations.notes(key);
            String id = v == null ? null : v.channel();
            if (!java.util.Objects.equals(id, notes.get(ThreadContext.VIEWING_CHANNEL_NOTE))) {
                conversations.note(key, ThreadContext.VIEWING_CHANNEL_NOTE, id);
            }
            String name = v == null ? null : v.name();
            if (!java.util.Objects.equals(name, notes.get(ThreadContext.VIEWING_CHANNEL_NAME_NOTE))) {
                conversations.note(key, ThreadContext.VIEWING_CHANNEL_NAME_NOTE, name);
            }
        } catch (RuntimeException e) {
            log.debug("slack: the viewed channel of {} is not noted: {}", key, e.toString());
        }
    }

    /** A thread title from a question: its first line, spaces collapsed, cut at a word within the limit. */
    static String title(String question) {
        String line = question.strip().lines().filter(l -> !l.isBlank()).findFirst().orElse("").strip()
                .replaceAll("\\s+", " ");
        if (line.length() <= MAX_TITLE_CHARS) {
            return line.isEmpty() ? "New chat" : line;
        }
        String cut = line.substring(0, MAX_TITLE_CHARS - 1);
        int space = cut.lastIndexOf(' ');
        return (space >= MAX_TITLE_CHARS / 2 ? cut.substring(0, space) : cut).stripTrailing() + "…";
    }

    private void acquire() {
        try {
            allowance.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("stopping", e);
        }
    }

    private void later(Runnable task) {
        try {
            work.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("slack: agent view: {}", SlackApi.error(e));
                }
            });
        } catch (RejectedExecutionException stopping) {
            // stopping: nothing more to show
        }
    }

    /** A direct message in the view: the channel the user looks at, and a summary's messages when asked for. */
    private record InView(ChatThread<ReplySurface> plain, java.util.function.Supplier<String> seen,
                          java.util.function.Supplier<ThreadContext> reading) implements ChatThread<ReplySurface> {

        @Override
        public ReplySurface surface() {
            return plain.surface();
        }

        @Override
        public List<Turn> earlierTurns() {
            return plain.earlierTurns();
        }

        @Override
        public List<String> shownUnnoted() {
            return plain.shownUnnoted();
        }

        @Override
        public String viewingChannel() {
            return seen.get();
        }

        @Override
        public ThreadContext context() {
            return reading.get();
        }
    }
}

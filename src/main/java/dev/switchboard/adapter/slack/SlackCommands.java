package dev.switchboard.adapter.slack;

import com.slack.api.app_backend.slash_commands.payload.SlashCommandPayload;
import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.SlashCommandContext;
import com.slack.api.bolt.response.Response;
import dev.switchboard.admin.Admin;
import dev.switchboard.admin.CompareCommand;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.live.Budget;
import dev.switchboard.live.ReplySink;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack's slash commands: {@code /ask} posts the question into the channel as a new thread and streams the answer
 * under it, stored first so that a restart finishes it ({@link SlackAsks});
 * {@code /switchboard} runs admin commands for operators and answers them privately. Both answer within
 * Slack's three seconds and do slow work on {@code work}. Thread-safe.
 */
final class SlackCommands {

    private static final Logger log = LoggerFactory.getLogger(SlackCommands.class);

    private final SwitchboardConfig.Slack config;
    private final Admin admin;
    private final SlackApi api;
    private final SlackReplies replies;
    private final String team;
    private final int maxQuestionChars;
    private final Executor work;
    private final SlackAsks asks;

    SlackCommands(SwitchboardConfig.Slack config, Admin admin, SlackApi api, SlackReplies replies, String team,
                  int maxQuestionChars, Executor work, SlackAsks asks) {
        this.asks = asks;
        this.config = config;
        this.admin = admin;
        this.api = api;
        this.replies = replies;
        this.team = team;
        this.maxQuestionChars = maxQuestionChars;
        this.work = work;
    }

    void register(App app) {
        app.command("/switchboard", (req, ctx) -> admin(req.getPayload(), ctx));
        app.command("/ask", (req, ctx) -> {
            SlashCommandPayload p = req.getPayload();
            String question = p.getText() == null ? "" : p.getText().strip();
            if (CompareCommand.namesModels(question)) {
                return compare(p, ctx); // /ask models:a,b question
            }
            if (question.isEmpty()) {
                return ctx.ack("Ask a question after the command, for example `/ask how do I rotate an API key?`");
            }
            return ask(p, ctx, question, null);
        });
        app.command("/compare", (req, ctx) -> compare(req.getPayload(), ctx));
        app.command("/model", (req, ctx) -> ctx.ack(SlackModels.model(admin, req.getPayload(), team)));
    }

    /** {@code /compare}: refused privately when the models or the question are wrong, else asked like /ask. */
    private Response compare(SlashCommandPayload p, SlashCommandContext ctx) {
        if (admin.compare() == null) {
            return ctx.ack("Comparing models is not offered here.");
        }
        return switch (admin.compare().parse(p.getText())) {
            case CompareCommand.Parsed.Refused r -> ctx.ack(r.userMessage());
            case CompareCommand.Parsed.Compare c -> ask(p, ctx, c.question(), c.models());
        };
    }

    /** @param models the models compared, or null for an ordinary answer */
    private Response ask(SlashCommandPayload p, SlashCommandContext ctx, String question, List<String> models) {
        if (!SlackRules.allowed(config.access(), p.getChannelId(), p.getUserId())) {
            return ctx.ack("I'm not set up to answer in this channel.");
        }
        if (question.length() > maxQuestionChars) {
            return ctx.ack("I can't take that question: it is " + question.length() + " characters long and"
                    + " the limit is " + maxQuestionChars + " (storage.max_turn_chars). Please shorten it.");
        }
        String teamId = SlackRules.teamOf(p.getTeamId(), null, team);
        SlackAsks.Pending pending;
        try {
            // Stored before the acknowledgement: Slack never sends a slash command again.
            pending = asks.take(p.getTriggerId() == null ? java.util.UUID.randomUUID().toString()
                    : p.getTriggerId(), teamId, p.getChannelId(), p.getUserId(), question, models);
        } catch (RuntimeException e) {
            log.error("slack: /ask could not be stored", e);
            return ctx.ack("I couldn't take your question just now (storage failed). Please ask again.");
        }
        Responder respond = ctx::respond;
        work.execute(() -> asks.finish(pending, this::postQuestion, respond::ephemeral));
        return ctx.ack();
    }

    /** Finishes the {@code /ask}s a stopped process took but did not finish. */
    void resume() {
        asks.resume(this::postQuestion, SlackIntake.LEFTOVER_WINDOW);
    }

    /** The answer is the acknowledgement itself: private to the operator, within Slack's three seconds. */
    private Response admin(SlashCommandPayload p, SlashCommandContext ctx) {
        String command = p.getText() == null ? "" : p.getText().strip();
        String user = p.getUserId();
        if (!admin.isOperator(SlackPlaces.PLATFORM, user, List.of())) {
            return ctx.ack(admin.refuse(SlackPlaces.PLATFORM, user, command));
        }
        String teamId = SlackRules.teamOf(p.getTeamId(), null, team);
        String channel = p.getChannelId();
        ConversationKey where = SlackPlaces.key(teamId, channel, SlackPlaces.isDm(channel) ? SlackPlaces.DM_THREAD
                : SlackPlaces.CHANNEL_SCOPE);
        Admin.Places places = SlackPlaces.places(teamId, channel);
        if (command.toLowerCase(Locale.ROOT).startsWith("export")) {
            // Reading and uploading a whole thread may take longer than Slack's three seconds: answer at once.
            work.execute(() -> {
                Admin.Answer answer = admin.run(user, where, command, places);
                if (answer instanceof Admin.Answer.File file) {
                    api.sendFilePrivately(user, file.name(), file.content(), file.text());
                } else {
                    ((Responder) ctx::respond).ephemeral("```\n" + answer.text() + "\n```");
                }
            });
            return ctx.ack("Preparing the export; it comes to you in a direct message from me.");
        }
        return ctx.ack("```\n" + admin.run(user, where, command, places).text() + "\n```");
    }

    static String whyNotPosted(String channel, String why) {
        if (why.contains("msg_too_long")) {
            return "Your question is too long for Slack to post as a message. Please shorten it.";
        }
        log.info("slack: /ask could not post in {}: {}", channel, why);
        return why.contains("not_in_channel") || why.contains("channel_not_found")
                ? "I can't post in this channel. Invite me with `/invite @Switchboard`, or ask me in a direct message."
                : "I couldn't post your question here (Slack said " + why + "). Please try again.";
    }

    /**
     * Posts the question of an {@code /ask} within the channel's post budget, which replies share; a 429 is waited
     * out (twice at most) rather than turned into an error for the user.
     */
    private String postQuestion(SlackAsks.Pending ask) {
        String channel = ask.channel();
        String text = "<@" + ask.user() + "> asked" + SlackModels.comparing(ask.models()) + ": "
                + SlackMarkdown.escape(ask.question());
        Budget posts = replies.posts(channel);
        for (int attempt = 1; ; attempt++) {
            try {
                posts.acquire();
                return api.post(channel, text, SlackAsks.marker(ask.id())).join();
            } catch (CompletionException e) {
                if (attempt < 3 && e.getCause() instanceof ReplySink.WriteFailed failed
                        && failed.kind() == ReplySink.WriteFailed.Kind.RATE_LIMITED) {
                    posts.pause(failed.retryAfter());
                    continue;
                }
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("stopping", e);
            }
        }
    }

    /** Answers a slash command privately through its response_url. */
    @FunctionalInterface
    private interface Responder {
        Object respond(String text) throws IOException;

        default void ephemeral(String text) {
            try {
                respond(text);
            } catch (IOException | RuntimeException e) {
                log.warn("slack: could not answer a command privately: {}", e.toString());
            }
        }
    }
}

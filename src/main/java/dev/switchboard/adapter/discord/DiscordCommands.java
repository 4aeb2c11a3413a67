package dev.switchboard.adapter.discord;

import dev.switchboard.admin.Admin;
import dev.switchboard.answering.Admission;
import dev.switchboard.answering.Conversations;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.answering.Inbound;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.ConversationKey;
import java.time.Clock;
import java.util.List;
import net.dv8tion.jda.api.entities.Role;
import net.dv8tion.jda.api.entities.channel.concrete.ThreadChannel;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.events.interaction.command.CommandAutoCompleteInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.events.session.ReadyEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.interactions.commands.build.SlashCommandData;
import net.dv8tion.jda.api.utils.FileUpload;
import net.dv8tion.jda.api.utils.messages.MessageEditBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discord's slash commands: {@code /ask} streams its answer into the deferred response; {@code /switchboard} runs
 * admin commands for operators (user or role ids in the config) and answers privately. Both are registered once per
 * process when the first shard is ready. Thread-safe.
 */
final class DiscordCommands extends ListenerAdapter {

    private static final Logger log = LoggerFactory.getLogger(DiscordCommands.class);

    private final SwitchboardConfig.Discord config;
    private final Admin admin;
    private final Conversations<ReplySurface> conversations;
    private final DiscordPolicy policy;
    private final DiscordReplies replies;
    private final Admin.Places places;
    private final Clock clock;
    private final DiscordModels models;

    DiscordCommands(SwitchboardConfig.Discord config, Admin admin, Conversations<ReplySurface> conversations, DiscordPolicy policy,
                    DiscordReplies replies, Admin.Places places, Clock clock) {
        this.config = config;
        this.admin = admin;
        this.conversations = conversations;
        this.policy = policy;
        this.replies = replies;
        this.places = places;
        this.clock = clock;
        this.models = new DiscordModels(admin, conversations, policy, replies);
    }

    static SlashCommandData askCommand() {
        return Commands.slash("ask", "Ask the assistant; the answer streams here")
                .addOption(OptionType.STRING, "question", "What to ask", true)
                .addOptions(DiscordModels.modelsOption());
    }

    static SlashCommandData adminCommand() {
        return Commands.slash("switchboard", "Operator commands: status, provider, model, route, prompt, export, reload…")
                .addOption(OptionType.STRING, "command", "e.g. status, provider openai off, model #general openai/gpt-4o",
                        false);
    }

    @Override
    public void onReady(ReadyEvent event) {
        // Commands once per process: globally (up to an hour to appear) or in one guild (at once).
        if (event.getJDA().getShardInfo().getShardId() != config.shards().first()) {
            return;
        }
        if (!config.commandGuild().isEmpty()) {
            var guild = event.getJDA().getGuildById(config.commandGuild());
            if (guild == null) {
                log.warn("discord: command_guild {} is not among the bot's guilds; /ask not registered",
                        config.commandGuild());
                return;
            }
            guild.updateCommands().addCommands(askCommand(), adminCommand(), DiscordModels.modelCommand(),
                    DiscordModels.compareCommand()).queue(
                    ok -> log.info("discord: /ask and /switchboard registered in guild {}", config.commandGuild()),
                    error -> log.warn("discord: /ask could not be registered: {}", error.toString()));
        } else {
            event.getJDA().updateCommands().addCommands(askCommand(), adminCommand(), DiscordModels.modelCommand(),
                    DiscordModels.compareCommand()).queue(
                    ok -> log.info("discord: /ask and /switchboard registered globally"),
                    error -> log.warn("discord: /ask could not be registered: {}", error.toString()));
        }
    }

    @Override
    public void onSlashCommandInteraction(SlashCommandInteractionEvent event) {
        if (event.getName().equals("ask")) {
            ask(event);
        } else if (event.getName().equals("switchboard")) {
            admin(event);
        } else if (event.getName().equals("model")) {
            models.model(event);
        } else if (event.getName().equals("compare")) {
            if (allowed(event)) {
                models.compare(event);
            } else {
                event.reply("I'm not set up to answer here.").setEphemeral(true).queue(ok -> { }, error -> { });
            }
        }
    }

    @Override
    public void onCommandAutoCompleteInteraction(CommandAutoCompleteInteractionEvent event) {
        models.autocomplete(event);
    }

    /** {@code /switchboard}: operators only; the answer is private. */
    private void admin(SlashCommandInteractionEvent event) {
        OptionMapping option = event.getOption("command");
        String command = option == null ? "" : option.getAsString().strip();
        String user = event.getUser().getId();
        if (!admin.isOperator(DiscordRules.PLATFORM, user, roles(event))) {
            event.reply(admin.refuse(DiscordRules.PLATFORM, user, command)).setEphemeral(true)
                    .queue(ok -> { }, error -> { });
            return;
        }
        MessageChannel channel = event.getChannel();
        String guild = event.isFromGuild() ? event.getGuild().getId() : DiscordRules.DM;
        ConversationKey where = channel instanceof ThreadChannel thread
                ? DiscordRules.key(guild, thread.getParentChannel().getId(), thread.getId())
                : DiscordRules.key(guild, channel.getId(), event.isFromGuild() ? channel.getId() : DiscordRules.DM);
        // Deferred at once (privately), worked off the event thread: reading a store or a whole thread for export
        // must neither miss Discord's three seconds nor hold up the shard's other events.
        event.deferReply(true).queue(ok -> { }, error -> { });
        Thread.ofVirtual().name("discord-admin").start(() -> {
            Admin.Answer answer = admin.run(user, where, command, places);
            var edit = new MessageEditBuilder();
            if (answer instanceof Admin.Answer.File file) {
                edit.setContent(file.text()).setFiles(FileUpload.fromData(file.content(), file.name()));
            } else {
                edit.setContent("```\n" + answer.text() + "\n```");
            }
            event.getHook().editOriginal(edit.build()).queue(ok -> { }, error -> log.warn(
                    "discord: an admin answer could not be sent: {}", error.toString()));
        });
    }

    private static List<String> roles(SlashCommandInteractionEvent event) {
        return event.getMember() == null ? List.of()
                : event.getMember().getRoles().stream().map(Role::getId).toList();
    }

    private boolean allowed(SlashCommandInteractionEvent event) {
        String user = event.getUser().getId();
        if (!event.isFromGuild()) {
            return DiscordRules.allowedInDm(config.access(), user);
        }
        MessageChannel channel = event.getChannel();
        String parent = channel instanceof ThreadChannel t ? t.getParentChannel().getId() : channel.getId();
        return DiscordRules.allowed(config.access(), event.getGuild().getId(), channel.getId(), parent, roles(event),
                user);
    }

    /** {@code /ask}: deferred at once, then the answer streams into the deferred response. */
    private void ask(SlashCommandInteractionEvent event) {
        OptionMapping option = event.getOption("question");
        String question = option == null ? "" : option.getAsString().strip();
        if (question.isEmpty()) {
            event.reply("Ask a question: `/ask question: …`").setEphemeral(true).queue();
            return;
        }
        if (!allowed(event)) {
            event.reply("I'm not set up to answer here.").setEphemeral(true).queue();
            return;
        }
        if (event.getOption("models") != null) {
            models.compare(event); // /ask with models: a comparison
            return;
        }
        MessageChannel channel = event.getChannel();
        ConversationKey key = DiscordRules.key(event.isFromGuild() ? event.getGuild().getId() : DiscordRules.DM,
                channel.getId(), event.getId());
        InteractionSink sink = new InteractionSink(event.getHook(), channel, replies.silent(), clock, clock.instant(),
                replies.remember(key));
        // Within Discord's three seconds: the user sees "thinking…" until the first words replace it. Missed (behind
        // a global rate limit, say), the answer goes to the channel instead.
        event.deferReply().queue(ok -> { }, error -> {
            log.warn("discord: /ask could not be deferred ({}); answering in the channel", error.toString());
            sink.interactionLost();
        });
        Inbound inbound = new Inbound(key, event.getId(), event.getUser().getId(),
                event.getMember() != null ? event.getMember().getEffectiveName() : event.getUser().getEffectiveName(),
                question, event.getTimeCreated().toInstant(), event.isFromGuild() ? channel.getName() : "");
        submit(conversations, inbound, replies.inInteraction(sink, key, event.getUser().getId()),
                policy.of(event.getJDA()), event, "/ask");
    }

    /** Hands a command's question to the use case; a refusal or a store failure replaces the response. */
    static void submit(Conversations<ReplySurface> conversations, Inbound inbound,
                       dev.switchboard.answering.ChatThread<ReplySurface> thread, Conversations.Policy policy,
                       SlashCommandInteractionEvent event, String command) {
        try {
            Admission admission = conversations.submit(inbound, thread, policy);
            if (admission instanceof Admission.Refused refused) {
                event.getHook().editOriginal(refused.userMessage()).queue(ok -> { }, error -> { });
            }
        } catch (RuntimeException e) {
            log.error("discord: {} could not be stored", command, e);
            event.getHook().editOriginal("I couldn't take your question just now (storage failed). Please ask again.")
                    .queue(ok -> { }, error -> { });
        }
    }
}

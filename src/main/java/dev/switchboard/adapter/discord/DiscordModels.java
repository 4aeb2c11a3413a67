package dev.switchboard.adapter.discord;

import dev.switchboard.admin.Admin;
import dev.switchboard.admin.CompareCommand;
import dev.switchboard.answering.Conversations;
import dev.switchboard.answering.Inbound;
import dev.switchboard.answering.ThreadModels;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.live.ReplySurface;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.concrete.ThreadChannel;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.events.interaction.command.CommandAutoCompleteInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.interactions.commands.build.OptionData;
import net.dv8tion.jda.api.interactions.commands.build.SlashCommandData;
import net.dv8tion.jda.api.utils.messages.MessageEditBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discord's {@code /model} (answered privately; its {@code model} option completes from {@code routing.user_models}
 * as the user types) and {@code /compare} (also {@code /ask} with its {@code models} option): the response names the
 * question and the models, and each model answers in a message of its own replying to it. A {@code /model} given in a
 * thread holds in that thread; given in a channel, in that channel. Thread-safe.
 */
final class DiscordModels {

    private static final Logger log = LoggerFactory.getLogger(DiscordModels.class);
    /** Discord shows at most 25 choices. */
    private static final int MAX_CHOICES = 25;

    private final Admin admin;
    private final Conversations<ReplySurface> conversations;
    private final DiscordPolicy policy;
    private final DiscordReplies replies;

    DiscordModels(Admin admin, Conversations<ReplySurface> conversations, DiscordPolicy policy,
                  DiscordReplies replies) {
        this.admin = admin;
        this.conversations = conversations;
        this.policy = policy;
        this.replies = replies;
    }

    static SlashCommandData modelCommand() {
        return Commands.slash("model", "Which model answers you first: list, choose, or reset")
                .addOptions(new OptionData(OptionType.STRING, "model", "provider/model, or reset", false, true),
                        new OptionData(OptionType.STRING, "scope", "here (this thread or channel) or everywhere",
                                false).addChoice("here", "here").addChoice("everywhere (your default)", "default"));
    }

    static SlashCommandData compareCommand() {
        return Commands.slash("compare", "Ask two or three models the same question, side by side")
                .addOption(OptionType.STRING, "question", "What to ask", true)
                .addOptions(modelsOption());
    }

    /** The {@code models} option of {@code /compare} and {@code /ask}. */
    static OptionData modelsOption() {
        return new OptionData(OptionType.STRING, "models", "Two or three provider/model, comma-separated", false);
    }

    /** {@code /model}: the answer is private. */
    void model(SlashCommandInteractionEvent event) {
        if (admin.models() == null) {
            event.reply("Choosing a model is not offered here.").setEphemeral(true).queue(ok -> { }, error -> { });
            return;
        }
        String model = text(event.getOption("model"));
        String scope = text(event.getOption("scope"));
        String arguments = model + (scope.equals("default") && !model.isEmpty() ? " default" : "");
        MessageChannel channel = event.getChannel();
        String guild = event.isFromGuild() ? event.getGuild().getId() : DiscordRules.DM;
        ConversationKey place = channel instanceof ThreadChannel thread
                ? DiscordRules.key(guild, thread.getParentChannel().getId(), thread.getId())
                : DiscordRules.key(guild, channel.getId(), ThreadModels.CHANNEL_SCOPE);
        // Deferred privately: saving a default reaches the store, which must not hold up the shard's events.
        event.deferReply(true).queue(ok -> { }, error -> { });
        Thread.ofVirtual().name("discord-model").start(() -> {
            String answer = admin.models().run(place, event.getUser().getId(), arguments);
            event.getHook().editOriginal(new MessageEditBuilder().setContent(answer).setAllowedMentions(List.of())
                    .build()).queue(ok -> { }, error -> log.warn("discord: a /model answer could not be sent: {}",
                    error.toString()));
        });
    }

    /** Completes {@code /model}'s {@code model} option from the models on offer. */
    void autocomplete(CommandAutoCompleteInteractionEvent event) {
        if (!event.getName().equals("model") || admin.models() == null) {
            return;
        }
        String typed = event.getFocusedOption().getValue().toLowerCase(Locale.ROOT);
        List<String> offered = new java.util.ArrayList<>(admin.models().offered());
        offered.add("reset");
        event.replyChoiceStrings(offered.stream().filter(m -> m.toLowerCase(Locale.ROOT).contains(typed))
                .limit(MAX_CHOICES).toList()).queue(ok -> { }, error -> { });
    }

    /**
     * {@code /compare}, or {@code /ask} with models: refused privately when the models or the question are wrong.
     * The caller checked that the bot answers here.
     */
    void compare(SlashCommandInteractionEvent event) {
        if (admin.compare() == null) {
            event.reply("Comparing models is not offered here.").setEphemeral(true).queue(ok -> { }, error -> { });
            return;
        }
        switch (admin.compare().parse(text(event.getOption("models")), text(event.getOption("question")))) {
            case CompareCommand.Parsed.Refused r -> event.reply(r.userMessage()).setEphemeral(true)
                    .setAllowedMentions(List.of()).queue(ok -> { }, error -> { });
            case CompareCommand.Parsed.Compare c -> compare(event, c);
        }
    }

    private void compare(SlashCommandInteractionEvent event, CompareCommand.Parsed.Compare c) {
        MessageChannel channel = event.getChannel();
        ConversationKey key = DiscordRules.key(event.isFromGuild() ? event.getGuild().getId() : DiscordRules.DM,
                channel.getId(), event.getId());
        String name = event.getMember() != null ? event.getMember().getEffectiveName()
                : event.getUser().getEffectiveName();
        event.deferReply().queue(ok -> { }, error -> log.warn("discord: /compare could not be deferred: {}",
                error.toString()));
        // The response names the question; the answers reply to it, once it is there.
        CompletableFuture<Message> header = event.getHook().editOriginal(new MessageEditBuilder()
                .setContent("**" + name + "** asked (comparing " + String.join(", ",
                        c.models().stream().map(m -> "`" + m + "`").toList()) + "): " + c.question())
                .setAllowedMentions(List.of()).build()).submit();
        header.thenAccept(m -> replies.remember(key).accept(m.getId()));
        CompletableFuture<ChannelSink.Place> place = header.thenApply(m -> new ChannelSink.Place(channel, m.getId()));
        Inbound inbound = new Inbound(key, event.getId(), event.getUser().getId(), name, c.question(),
                event.getTimeCreated().toInstant(), event.isFromGuild() ? channel.getName() : "");
        DiscordCommands.submit(conversations, inbound, new DiscordComparison(c.models(),
                event.getJDA().getSelfUser().getId(), () -> replies.inChannel(key, place, channel.getId())),
                policy.of(event.getJDA()), event, "/compare");
    }

    private static String text(OptionMapping option) {
        return option == null ? "" : option.getAsString().strip();
    }
}

package dev.switchboard.adapter.discord;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.switchboard.admin.Admin;
import dev.switchboard.chat.Admission;
import dev.switchboard.chat.Conversations;
import dev.switchboard.chat.Inbound;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.live.Budget;
import dev.switchboard.live.ReplySink;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.live.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.Permission;
import net.dv8tion.jda.api.entities.Member;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.Role;
import net.dv8tion.jda.api.entities.channel.ChannelType;
import net.dv8tion.jda.api.entities.channel.concrete.ThreadChannel;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.events.message.MessageDeleteEvent;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import net.dv8tion.jda.api.events.session.ReadyEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.interactions.commands.build.SlashCommandData;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.sharding.DefaultShardManagerBuilder;
import net.dv8tion.jda.api.sharding.ShardManager;
import net.dv8tion.jda.api.utils.Compression;
import net.dv8tion.jda.api.utils.FileUpload;
import net.dv8tion.jda.api.utils.ConcurrentSessionController;
import net.dv8tion.jda.api.utils.SessionController;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discord, through JDA on a shard manager: a mention opens a thread on the message and the answer streams inside;
 * later messages in that thread are answered without a mention. Where threads are off, replies to the bot continue
 * the conversation along the reply chain. Direct messages are answered, and {@code /ask} streams into its deferred
 * response. Thread-safe; start once, close once.
 */
public final class DiscordAdapter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DiscordAdapter.class);
    static final String PLATFORM = "discord";
    static final String DM = "dm";
    /** What the bot needs in a channel, and nothing more; the invite URL asks for exactly these. */
    static final EnumSet<Permission> PERMISSIONS = EnumSet.of(Permission.VIEW_CHANNEL, Permission.MESSAGE_SEND,
            Permission.MESSAGE_SEND_IN_THREADS, Permission.CREATE_PUBLIC_THREADS, Permission.MESSAGE_HISTORY);

    private final SwitchboardConfig.Discord config;
    private final Admin admin;
    private final Conversations<ReplySurface> conversations;
    private final Ticker ticker;
    private final Clock clock;
    private final boolean fallbackFooter;
    /** Per-channel budgets; threads come and go, so unused ones are dropped. */
    private final Cache<String, Budget> budgets = Caffeine.newBuilder().maximumSize(50_000)
            .expireAfterAccess(Duration.ofHours(1)).build();
    /** Which conversation a bot message belongs to, for replies to it (reply chains, /ask answers). */
    private final Cache<String, ConversationKey> byBotMessage = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofDays(7)).build();
    /** Which conversation a user message being answered belongs to, so deleting it can stop the reply. */
    private final Cache<String, ConversationKey> byUserMessage = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(Duration.ofHours(1)).build();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "discord-timers");
        t.setDaemon(true);
        return t;
    });
    private final Budget global;
    /** Typing indicators: a courtesy, kept to a fifth of the global limit so they never crowd out answers. */
    private final Budget typing;
    private volatile Conversations.Policy policy;
    private volatile boolean stopping;
    private ShardManager shards;

    public DiscordAdapter(SwitchboardConfig.Discord config, Conversations<ReplySurface> conversations, Ticker ticker,
                          Clock clock, boolean fallbackFooter, Admin admin) {
        this.admin = admin;
        this.config = config;
        this.conversations = conversations;
        this.ticker = ticker;
        this.clock = clock;
        this.fallbackFooter = fallbackFooter;
        // Discord allows 50 requests a second per bot; live replies take at most half of that.
        this.global = new Budget("discord bot", 25, Duration.ofSeconds(1), ticker);
        this.typing = new Budget("discord typing", 10, Duration.ofSeconds(1), 10, ticker);
    }

    /** Logs in and opens the configured shards; returns once they are connected. */
    public DiscordAdapter start() {
        EnumSet<GatewayIntent> intents = EnumSet.of(GatewayIntent.GUILD_MESSAGES, GatewayIntent.DIRECT_MESSAGES);
        if (config.messageContent()) {
            intents.add(GatewayIntent.MESSAGE_CONTENT);
        }
        String gateway = config.gatewayUrl().toString();
        SessionController sessions = new ConcurrentSessionController() {
            @Override
            public String getGateway() {
                return gateway;
            }

            @Override
            public ShardedGateway getShardedGateway(JDA api) {
                return new ShardedGateway(gateway, config.shards().total());
            }
        };
        DefaultShardManagerBuilder builder = DefaultShardManagerBuilder.createLight(config.token().reveal(), intents)
                .setRestConfig(new RestConfig().setBaseUrl(config.restUrl().toString()))
                .setSessionController(sessions)
                .setShardsTotal(config.shards().total())
                .setShards(config.shards().first(), config.shards().last())
                .setEnableShutdownHook(false)
                .addEventListeners(new Events());
        if (!gateway.startsWith("wss://gateway.discord.gg")) {
            builder.setCompression(Compression.NONE); // a proxy or a local fake speaks plain JSON
        }
        try {
            shards = builder.build();
        } catch (RuntimeException e) {
            throw new IllegalStateException("discord: could not log in (" + e.getMessage() + "). Check DISCORD_TOKEN"
                    + " (Developer Portal > Bot > Reset Token) and discord.rest_url", e);
        }
        for (JDA shard : shards.getShards()) {
            try {
                shard.awaitReady();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while connecting to Discord", e);
            }
        }
        JDA any = shards.getShards().getFirst();
        policy(any);
        log.info("discord: connected as {} ({}), shards {}..{} of {}", any.getSelfUser().getName(),
                any.getSelfUser().getId(), config.shards().first(), config.shards().last(), config.shards().total());
        log.info("discord: invite the bot with {}", inviteUrl(any.getSelfUser().getApplicationId()));
        timers.execute(this::answerLeftovers);
        return this;
    }

    /**
     * Answers messages stored but never answered because the process stopped; Discord does not deliver them again.
     * Where the conversation's channel is no longer visible, they stay unanswered (logged).
     */
    private void answerLeftovers() {
        for (Conversations.Unanswered left : conversations.unanswered(PLATFORM, Duration.ofHours(1))) {
            ConversationKey key = left.key();
            String id = key.thread().equals(DM) ? key.channel() : key.thread();
            MessageChannel channel = shards.getChannelById(MessageChannel.class, id);
            if (channel == null) {
                channel = shards.getChannelById(MessageChannel.class, key.channel());
            }
            if (channel == null) {
                log.warn("discord: cannot see the channel of an unanswered message in {}; leaving it", key);
                continue;
            }
            MessageChannel replyIn = channel;
            Inbound inbound = new Inbound(key, left.message().messageIds().getFirst(), left.message().authorId(),
                    left.message().authorName(), left.message().text(), left.message().at(), "");
            ReplySink sink = new ChannelSink(replyIn, null, config.silent(), m -> byBotMessage.put(m, key));
            try {
                conversations.submit(inbound, new DiscordThread(sink, budgets(replyIn), typingIn(replyIn), typing,
                        ticker), policy(shards.getShards().getFirst()));
                log.info("discord: answering a message left unanswered when the service stopped, in {}", key);
            } catch (RuntimeException e) {
                log.warn("discord: could not resume an unanswered message in {}: {}", key, e.toString());
            }
        }
    }

    /** The OAuth2 URL that adds the bot with exactly the permissions it uses, and its slash commands. */
    static String inviteUrl(String applicationId) {
        return "https://discord.com/oauth2/authorize?client_id=" + applicationId
                + "&scope=bot%20applications.commands&permissions=" + Permission.getRaw(PERMISSIONS);
    }

    /** Whether every shard this process runs is connected. */
    public boolean connected() {
        ShardManager s = shards;
        return s != null && !stopping && s.getShards().stream().allMatch(j -> j.getStatus() == JDA.Status.CONNECTED);
    }

    /** The shards' average heartbeat round trip to the gateway, or null before the first heartbeat was answered. */
    public Duration latency() {
        ShardManager s = shards;
        double ping = s == null ? -1 : s.getAverageGatewayPing();
        return ping < 0 ? null : Duration.ofMillis(Math.round(ping));
    }

    static SlashCommandData askCommand() {
        return Commands.slash("ask", "Ask the assistant; the answer streams here")
                .addOption(OptionType.STRING, "question", "What to ask", true);
    }

    static SlashCommandData adminCommand() {
        return Commands.slash("switchboard", "Operator commands: status, provider, model, route, prompt, export, reload…")
                .addOption(OptionType.STRING, "command", "e.g. status, provider openai off, model #general openai/gpt-4o",
                        false);
    }

    /** {@code /switchboard}: operators only (user or role ids in the config); the answer is private. */
    private void admin(SlashCommandInteractionEvent event) {
        OptionMapping option = event.getOption("command");
        String command = option == null ? "" : option.getAsString().strip();
        String user = event.getUser().getId();
        List<String> roles = event.getMember() == null ? List.of()
                : event.getMember().getRoles().stream().map(Role::getId).toList();
        if (!admin.isOperator(PLATFORM, user, roles)) {
            event.reply(admin.refuse(PLATFORM, user, command)).setEphemeral(true).queue(ok -> { }, error -> { });
            return;
        }
        MessageChannel channel = event.getChannel();
        String guild = event.isFromGuild() ? event.getGuild().getId() : DM;
        ConversationKey where = channel instanceof ThreadChannel thread
                ? new ConversationKey(PLATFORM, guild, thread.getParentChannel().getId(), thread.getId())
                : new ConversationKey(PLATFORM, guild, channel.getId(), event.isFromGuild() ? channel.getId() : DM);
        // Deferred at once (privately), worked off the event thread: reading a store or a whole thread for export
        // must neither miss Discord's three seconds nor hold up the shard's other events.
        event.deferReply(true).queue(ok -> { }, error -> { });
        Admin.Places places = places(guild);
        Thread.ofVirtual().name("discord-admin").start(() -> {
            Admin.Answer answer = admin.run(user, where, command, places);
            var edit = new net.dv8tion.jda.api.utils.messages.MessageEditBuilder();
            if (answer instanceof Admin.Answer.File file) {
                edit.setContent(file.text()).setFiles(FileUpload.fromData(file.content(), file.name()));
            } else {
                edit.setContent("```\n" + answer.text() + "\n```");
            }
            event.getHook().editOriginal(edit.build()).queue(ok -> { }, error -> log.warn(
                    "discord: an admin answer could not be sent: {}", error.toString()));
        });
    }

    /**
     * Discord's references in admin commands: {@code <#id>} for a channel (a thread stands for its parent); a
     * message link ({@code https://discord.com/channels/guild/channel/message}) or a thread id for a thread.
     */
    private Admin.Places places(String guild) {
        return new Admin.Places() {
            @Override
            public ConversationKey channel(String reference) {
                java.util.regex.Matcher m = CHANNEL_REF.matcher(reference);
                if (!m.matches() || shards == null) {
                    return null;
                }
                ThreadChannel thread = shards.getThreadChannelById(m.group(1));
                String id = thread != null ? thread.getParentChannel().getId() : m.group(1);
                var channel = shards.getGuildChannelById(id);
                return channel == null ? null
                        : new ConversationKey(PLATFORM, channel.getGuild().getId(), id, id); // its own guild
            }

            @Override
            public ConversationKey thread(String reference) {
                if (shards == null) {
                    return null;
                }
                java.util.regex.Matcher link = MESSAGE_LINK.matcher(reference.replaceAll("^<|>$", ""));
                if (link.matches() && link.group(1).equals("@me")) {
                    return new ConversationKey(PLATFORM, DM, link.group(2), DM); // a direct message is one thread
                }
                if (link.matches()) {
                    ThreadChannel in = shards.getThreadChannelById(link.group(2));
                    return in != null ? new ConversationKey(PLATFORM, link.group(1), in.getParentChannel().getId(),
                            in.getId()) : new ConversationKey(PLATFORM, link.group(1), link.group(2), link.group(3));
                }
                ThreadChannel thread = reference.matches("\\d{5,25}") ? shards.getThreadChannelById(reference) : null;
                return thread == null ? null : new ConversationKey(PLATFORM, thread.getGuild().getId(),
                        thread.getParentChannel().getId(), thread.getId());
            }
        };
    }

    private static final java.util.regex.Pattern CHANNEL_REF = java.util.regex.Pattern.compile("<#(\\d{5,25})>");
    private static final java.util.regex.Pattern MESSAGE_LINK = java.util.regex.Pattern.compile(
            "https://(?:(?:ptb|canary)\\.)?discord(?:app)?\\.com/channels/(\\d{5,25}|@me)/(\\d{5,25})/(\\d{5,25})");

    private final class Events extends ListenerAdapter {

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
                guild.updateCommands().addCommands(askCommand(), adminCommand()).queue(
                        ok -> log.info("discord: /ask and /switchboard registered in guild {}", config.commandGuild()),
                        error -> log.warn("discord: /ask could not be registered: {}", error.toString()));
            } else {
                event.getJDA().updateCommands().addCommands(askCommand(), adminCommand()).queue(
                        ok -> log.info("discord: /ask and /switchboard registered globally"),
                        error -> log.warn("discord: /ask could not be registered: {}", error.toString()));
            }
        }

        @Override
        public void onMessageReceived(MessageReceivedEvent event) {
            try {
                onMessage(event);
            } catch (RuntimeException e) {
                log.error("discord: a message could not be handled", e);
            }
        }

        @Override
        public void onMessageDelete(MessageDeleteEvent event) {
            ConversationKey key = byUserMessage.getIfPresent(event.getMessageId());
            if (key != null && conversations.cancel(key, event.getMessageId(), "the question was deleted")) {
                log.info("discord: a question was deleted; its reply was stopped");
            }
        }

        @Override
        public void onSlashCommandInteraction(SlashCommandInteractionEvent event) {
            if (event.getName().equals("ask")) {
                ask(event);
            } else if (event.getName().equals("switchboard")) {
                admin(event);
            }
        }
    }

    /** The policy, made from the first connected shard's identity (events can arrive before every shard is up). */
    private Conversations.Policy policy(JDA jda) {
        Conversations.Policy p = policy;
        if (p == null) {
            p = new Conversations.Policy(jda.getSelfUser().getId(), Conversations.OnNewMessage.QUEUE,
                    new Conversations.RateLimit(config.userRateLimit().messages(), config.userRateLimit().per()),
                    fallbackFooter);
            policy = p;
        }
        return p;
    }

    private void onMessage(MessageReceivedEvent event) {
        Message message = event.getMessage();
        JDA jda = event.getJDA();
        if (stopping || event.getAuthor().isBot() || event.getAuthor().getId().equals(jda.getSelfUser().getId())
                || event.isWebhookMessage() || message.getType().isSystem()) {
            return;
        }
        String text = message.getContentRaw();
        String selfId = jda.getSelfUser().getId();
        boolean mentioned = message.getMentions().isMentioned(jda.getSelfUser(), Message.MentionType.USER);
        MessageChannel channel = event.getChannel();
        ConversationKey key;
        MessageChannel replyIn = channel;
        String replyTo = null;
        if (!event.isFromGuild()) {
            if (!allowedInDm(event.getAuthor().getId())) {
                return;
            }
            key = new ConversationKey(PLATFORM, DM, channel.getId(), DM);
        } else {
            String guild = event.getGuild().getId();
            if (!allowed(guild, channel, event.getMember(), event.getAuthor().getId())) {
                return;
            }
            if (event.getChannelType().isThread()) {
                ThreadChannel thread = event.getChannel().asThreadChannel();
                key = new ConversationKey(PLATFORM, guild, thread.getParentChannel().getId(), thread.getId());
                if (!mentioned && !conversations.knows(key)) {
                    return; // a thread the bot is not part of
                }
            } else if (message.getReferencedMessage() != null
                    && message.getReferencedMessage().getAuthor().getId().equals(selfId)) {
                // A reply to the bot continues that conversation (reply chains).
                ConversationKey chain = byBotMessage.getIfPresent(message.getReferencedMessage().getId());
                key = chain != null ? chain : new ConversationKey(PLATFORM, guild, channel.getId(),
                        message.getReferencedMessage().getId());
                replyTo = message.getId();
            } else if (mentioned) {
                if (config.threads() && event.getChannelType() == ChannelType.TEXT
                        && !withoutMention(text, selfId).isBlank()) {
                    // The thread's id is the message's: the conversation is known before Discord answers.
                    Writes.submit(() -> message.createThreadChannel(threadName(withoutMention(text, selfId))))
                            .whenComplete(
                            (thread, error) -> {
                                if (error != null) {
                                    log.info("discord: could not open a thread ({}); answering in the channel",
                                            Writes.failure(error).getMessage());
                                    take(event, new ConversationKey(PLATFORM, guild, channel.getId(),
                                            message.getId()), channel, message.getId());
                                } else {
                                    take(event, new ConversationKey(PLATFORM, guild, channel.getId(),
                                            thread.getId()), thread, null);
                                }
                            });
                    return;
                } else {
                    key = new ConversationKey(PLATFORM, guild, channel.getId(), message.getId());
                    replyTo = message.getId();
                }
            } else {
                return; // channel chatter that is not for the bot
            }
        }
        take(event, key, replyIn, replyTo);
    }

    /** Stores the message and schedules its reply in {@code replyIn}. */
    private void take(MessageReceivedEvent event, ConversationKey conversation, MessageChannel replyIn,
                      String replyTo) {
        Message message = event.getMessage();
        MessageChannel channel = event.getChannel();
        String question = withoutMention(message.getContentRaw(), event.getJDA().getSelfUser().getId());
        if (question.isBlank()) {
            return; // a bare mention, or content the bot may not read (no message content intent)
        }
        byUserMessage.put(message.getId(), conversation);
        Inbound inbound = new Inbound(conversation, message.getId(), event.getAuthor().getId(),
                event.getMember() != null ? event.getMember().getEffectiveName() : event.getAuthor().getEffectiveName(),
                question, message.getTimeCreated().toInstant(), event.isFromGuild() ? channel.getName() : "");
        ReplySink sink = new ChannelSink(replyIn, replyTo, config.silent(), id -> byBotMessage.put(id, conversation));
        Admission admission;
        try {
            admission = conversations.submit(inbound, new DiscordThread(sink, budgets(replyIn), typingIn(replyIn),
                    typing, ticker), policy(event.getJDA()));
        } catch (RuntimeException e) {
            // Discord never delivers a message again: say so rather than stay silent.
            log.error("discord: a message could not be stored", e);
            admission = new Admission.Refused("I couldn't take that message just now (storage failed). Please send"
                    + " it again.");
        }
        if (admission instanceof Admission.Refused refused) {
            Writes.submit(() -> replyIn.sendMessage(Writes.create(refused.userMessage(), true))
                    .setMessageReference(message.getId()).failOnInvalidReply(false));
        }
    }

    private void ask(SlashCommandInteractionEvent event) {
        OptionMapping option = event.getOption("question");
        String question = option == null ? "" : option.getAsString().strip();
        if (question.isEmpty()) {
            event.reply("Ask a question: `/ask question: …`").setEphemeral(true).queue();
            return;
        }
        String guild = event.isFromGuild() ? event.getGuild().getId() : DM;
        if (event.isFromGuild() ? !allowed(guild, event.getChannel(), event.getMember(), event.getUser().getId())
                : !allowedInDm(event.getUser().getId())) {
            event.reply("I'm not set up to answer here.").setEphemeral(true).queue();
            return;
        }
        Instant deferredAt = clock.instant();
        MessageChannel channel = event.getChannel();
        ConversationKey askKey = new ConversationKey(PLATFORM, guild, channel.getId(), event.getId());
        InteractionSink sink = new InteractionSink(event.getHook(), channel, config.silent(), clock, deferredAt,
                id -> byBotMessage.put(id, askKey));
        // Within Discord's three seconds: the user sees "thinking…" until the first words replace it. Missed (behind
        // a global rate limit, say), the answer goes to the channel instead.
        event.deferReply().queue(ok -> { }, error -> {
            log.warn("discord: /ask could not be deferred ({}); answering in the channel", error.toString());
            sink.interactionLost();
        });
        ConversationKey key = askKey;
        Inbound inbound = new Inbound(key, event.getId(), event.getUser().getId(),
                event.getMember() != null ? event.getMember().getEffectiveName() : event.getUser().getEffectiveName(),
                question, event.getTimeCreated().toInstant(), event.isFromGuild() ? channel.getName() : "");
        try {
            Admission admission = conversations.submit(inbound, new DiscordThread(sink, budgets(channel), null, typing,
                    ticker), policy(event.getJDA()));
            if (admission instanceof Admission.Refused refused) {
                event.getHook().editOriginal(refused.userMessage()).queue(ok -> { }, error -> { });
            }
        } catch (RuntimeException e) {
            log.error("discord: /ask could not be stored", e);
            event.getHook().editOriginal("I couldn't take your question just now (storage failed). Please ask again.")
                    .queue(ok -> { }, error -> { });
        }
    }

    /** Shows "typing…" in the channel once. */
    private static Runnable typingIn(MessageChannel channel) {
        return () -> channel.sendTyping().queue(ok -> { }, error -> { });
    }

    /** Every reply in a channel shares its edit allowance (about five writes per five seconds), and all share the bot's. */
    private List<Budget> budgets(MessageChannel channel) {
        Budget perChannel = budgets.get(channel.getId(),
                id -> new Budget("discord channel " + id, 5, Duration.ofSeconds(5), ticker));
        return List.of(perChannel, global);
    }

    private boolean allowed(String guild, MessageChannel channel, Member member, String user) {
        SwitchboardConfig.DiscordAccess a = config.access();
        String channelId = channel.getId();
        String parentId = channel instanceof ThreadChannel t ? t.getParentChannel().getId() : channelId;
        List<String> roles = member == null ? List.of() : member.getRoles().stream().map(Role::getId).toList();
        if (a.denyGuilds().contains(guild) || a.denyChannels().contains(channelId) || a.denyChannels()
                .contains(parentId) || a.denyUsers().contains(user) || roles.stream().anyMatch(a.denyRoles()::contains)) {
            return false;
        }
        return (a.allowGuilds().isEmpty() || a.allowGuilds().contains(guild))
                && (a.allowChannels().isEmpty() || a.allowChannels().contains(channelId)
                || a.allowChannels().contains(parentId))
                && (a.allowUsers().isEmpty() && a.allowRoles().isEmpty() || a.allowUsers().contains(user)
                || roles.stream().anyMatch(a.allowRoles()::contains));
    }

    /** Direct messages have no guild, channel or role: the user lists decide (roles cannot allow anyone here). */
    private boolean allowedInDm(String user) {
        SwitchboardConfig.DiscordAccess a = config.access();
        return !a.denyUsers().contains(user)
                && (a.allowUsers().isEmpty() && a.allowRoles().isEmpty() || a.allowUsers().contains(user));
    }

    static String withoutMention(String text, String selfId) {
        return text.replace("<@" + selfId + ">", "").replace("<@!" + selfId + ">", "").strip();
    }

    /** A thread named after the question: one line, 1–100 characters. */
    static String threadName(String question) {
        String line = question.strip().replaceAll("\\s+", " ");
        if (line.isEmpty()) {
            return "Question";
        }
        return line.length() <= 100 ? line : line.substring(0, 99) + "…";
    }

    /** Takes no more messages; replies in progress can still be written until {@link #close()}. */
    public void stopIntake() {
        stopping = true;
    }

    @Override
    public void close() {
        stopping = true;
        timers.shutdownNow();
        if (shards != null) {
            shards.shutdown();
        }
    }
}

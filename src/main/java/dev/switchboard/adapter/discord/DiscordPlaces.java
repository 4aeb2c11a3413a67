package dev.switchboard.adapter.discord;

import dev.switchboard.admin.Admin;
import dev.switchboard.conversation.ConversationKey;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.dv8tion.jda.api.entities.channel.concrete.ThreadChannel;
import net.dv8tion.jda.api.sharding.ShardManager;

/**
 * Discord's references in admin commands: {@code <#id>} for a channel (a thread stands for its parent); a message
 * link ({@code https://discord.com/channels/guild/channel/message}) or a thread id for a thread. Resolved through the
 * shards the bot sees; nothing resolves before they are up.
 */
final class DiscordPlaces implements Admin.Places {

    private static final Pattern CHANNEL_REF = Pattern.compile("<#(\\d{5,25})>");
    private static final Pattern MESSAGE_LINK = Pattern.compile(
            "https://(?:(?:ptb|canary)\\.)?discord(?:app)?\\.com/channels/(\\d{5,25}|@me)/(\\d{5,25})/(\\d{5,25})");

    private final Supplier<ShardManager> shards;

    DiscordPlaces(Supplier<ShardManager> shards) {
        this.shards = shards;
    }

    @Override
    public ConversationKey channel(String reference) {
        Matcher m = CHANNEL_REF.matcher(reference);
        ShardManager s = shards.get();
        if (!m.matches() || s == null) {
            return null;
        }
        ThreadChannel thread = s.getThreadChannelById(m.group(1));
        String id = thread != null ? thread.getParentChannel().getId() : m.group(1);
        var channel = s.getGuildChannelById(id);
        return channel == null ? null : DiscordRules.key(channel.getGuild().getId(), id, id); // its own guild
    }

    @Override
    public ConversationKey thread(String reference) {
        ShardManager s = shards.get();
        if (s == null) {
            return null;
        }
        Matcher link = MESSAGE_LINK.matcher(reference.replaceAll("^<|>$", ""));
        if (link.matches() && link.group(1).equals("@me")) {
            return DiscordRules.key(DiscordRules.DM, link.group(2), DiscordRules.DM); // a direct message is one thread
        }
        if (link.matches()) {
            ThreadChannel in = s.getThreadChannelById(link.group(2));
            return in != null ? DiscordRules.key(link.group(1), in.getParentChannel().getId(), in.getId())
                    : DiscordRules.key(link.group(1), link.group(2), link.group(3));
        }
        ThreadChannel thread = reference.matches("\\d{5,25}") ? s.getThreadChannelById(reference) : null;
        return thread == null ? null : DiscordRules.key(thread.getGuild().getId(), thread.getParentChannel().getId(),
                thread.getId());
    }
}

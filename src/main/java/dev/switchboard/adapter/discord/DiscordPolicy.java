package dev.switchboard.adapter.discord;

import dev.switchboard.answering.Conversations;
import dev.switchboard.config.SwitchboardConfig;
import net.dv8tion.jda.api.JDA;

/**
 * How conversations treat Discord messages, made once from the first connected shard's identity: events can arrive
 * before every shard is up, so whichever comes first makes it. Thread-safe.
 */
final class DiscordPolicy {

    private final SwitchboardConfig.Discord config;
    private final boolean fallbackFooter;
    private volatile Conversations.Policy policy;

    DiscordPolicy(SwitchboardConfig.Discord config, boolean fallbackFooter) {
        this.config = config;
        this.fallbackFooter = fallbackFooter;
    }

    Conversations.Policy of(JDA jda) {
        Conversations.Policy p = policy;
        if (p == null) {
            p = new Conversations.Policy(jda.getSelfUser().getId(), Conversations.OnNewMessage.QUEUE,
                    new Conversations.RateLimit(config.userRateLimit().messages(), config.userRateLimit().per()),
                    fallbackFooter);
            policy = p;
        }
        return p;
    }
}

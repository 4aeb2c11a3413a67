package dev.switchboard.config;

import static dev.switchboard.config.Values.lowerCaseEnum;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The whole configuration, validated once at start-up. Every section has defaults, so an empty file is valid: the
 * service then runs with every adapter and provider off and says how to turn each on. Immutable.
 *
 * <p>Keys in the file are snake_case forms of the component names ({@code bot_token} for {@code botToken}).
 * {@code config/switchboard.yaml} documents every key.
 *
 * <p>The sections are declared in their own files ({@link PlatformSections}, {@link ProviderSections},
 * {@link RoutingSections}, {@link ServiceSections}) and inherited from them, so they are still named
 * {@code SwitchboardConfig.Slack}, {@code SwitchboardConfig.Provider} and so on. Write that qualified name: an import
 * of an inherited member type needs its canonical name.
 */
public record SwitchboardConfig(
        Slack slack,
        Discord discord,
        Map<String, Provider> providers,
        Routing routing,
        Storage storage,
        Operators operators,
        Ops ops,
        Logging logging,
        Feedback feedback,
        Attachments attachments,
        Tools tools,
        Cluster cluster) implements PlatformSections, ProviderSections, RoutingSections, ServiceSections,
        ToolSections, ClusterSections {

    /** Without attachments, tools and cluster sections: their defaults apply. */
    public SwitchboardConfig(Slack slack, Discord discord, Map<String, Provider> providers, Routing routing,
                             Storage storage, Operators operators, Ops ops, Logging logging, Feedback feedback) {
        this(slack, discord, providers, routing, storage, operators, ops, logging, feedback, null, null, null);
    }

    public SwitchboardConfig {
        slack = slack != null ? slack : new Slack(null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null);
        discord = discord != null ? discord
                : new Discord(null, null, null, null, null, null, null, null, null, null, null, null);
        providers = providers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        routing = routing != null ? routing : new Routing(null, null, null, null, null, null);
        storage = storage != null ? storage : new Storage(null, null, null, null, null, null, null, null, null);
        operators = operators != null ? operators : new Operators(null, null, null);
        ops = ops != null ? ops : new Ops(null, null, null, null, null);
        logging = logging != null ? logging : new Logging(null, null);
        feedback = feedback != null ? feedback : new Feedback(null);
        attachments = attachments != null ? attachments
                : new Attachments(null, null, null, null, null, null, null, null);
        tools = tools != null ? tools : new Tools(null, null, null, null, null, null);
        cluster = cluster != null ? cluster : new Cluster(null, null, null);
    }

    public static SwitchboardConfig empty() {
        return new SwitchboardConfig(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** What a new message in a thread does while the bot is still answering an earlier one there. */
    public enum OnNewMessage {
        /** The current reply finishes; the new message is answered next, with the whole thread as context. */
        QUEUE,
        /** The current reply stops where it is; the new message is answered at once. */
        RESTART;

        @com.fasterxml.jackson.annotation.JsonValue
        String yaml() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        static OnNewMessage parse(String value) {
            return lowerCaseEnum(OnNewMessage.class, value);
        }
    }

    /** At most {@code messages} per user within {@code per}. */
    public record RateLimit(Integer messages, Duration per) {
        public RateLimit {
            messages = messages != null ? messages : 20;
            per = per != null ? per : Duration.ofMinutes(1);
            if (messages < 1) {
                throw new ConfigValueException("messages", "must be at least 1", "write e.g. messages: 20");
            }
            if (per.isZero() || per.isNegative()) {
                throw new ConfigValueException("per", "must be positive", "write e.g. per: 1m");
            }
        }
    }
}

package dev.switchboard.config;

import static dev.switchboard.config.Values.copy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code slack.assistant} section: Slack's agent view (the split view where a user talks to the app). Immutable.
 *
 * @param enabled whether the agent view is served: suggested prompts when it opens, a title per thread, rotating
 *     loading messages, the viewed channel kept for {@code {viewing_channel}}; top-level direct messages are then
 *     answered in a thread of their own, as the view shows them
 * @param promptsTitle the heading over the suggested prompts
 * @param suggestedPrompts up to four prompts shown when the view opens
 * @param promptOverrides other prompts for one workspace ({@code T…}) or for the channel the user is viewing
 *     ({@code C…}/{@code G…}); a channel's win over its workspace's
 * @param loadingMessages the status lines Slack rotates through while an answer is prepared: 1 to 10, each at most
 *     50 characters and without commas (the Slack SDK sends the list comma-separated)
 * @param summaryMessage the message that asks for a summary of the channel being viewed: a suggested prompt sends
 *     it, and typing it works too (compared without case and trailing punctuation)
 * @param summaryHistory how many of the channel's latest messages a summary reads
 * @param historyBudget conversations.history calls for summaries, separate from every other budget
 */
public record SlackAssistant(Boolean enabled, String promptsTitle, List<Prompt> suggestedPrompts,
                             Map<String, List<Prompt>> promptOverrides, List<String> loadingMessages,
                             String summaryMessage, Integer summaryHistory, SwitchboardConfig.RateLimit historyBudget) {

    /** Slack shows at most this many suggested prompts. */
    public static final int MAX_PROMPTS = 4;
    /** Slack's limits on loading messages. */
    public static final int MAX_LOADING_MESSAGES = 10;
    public static final int MAX_LOADING_CHARS = 50;
    public static final String DEFAULT_SUMMARY = "Summarise the channel I am viewing";

    /** One suggested prompt: what the button says and the message it sends. */
    public record Prompt(String title, String message) {
        public Prompt {
            if (title == null || title.isBlank() || message == null || message.isBlank()) {
                throw new ConfigValueException("suggested_prompts", "every prompt needs a title and a message",
                        "write e.g. {title: \"Summarise\", message: \"Summarise the channel I am viewing\"}");
            }
            title = title.strip();
            message = message.strip();
        }
    }

    public SlackAssistant {
        enabled = enabled != null ? enabled : Boolean.FALSE;
        promptsTitle = promptsTitle != null && !promptsTitle.isBlank() ? promptsTitle.strip() : "Try asking";
        summaryMessage = summaryMessage != null && !summaryMessage.isBlank() ? summaryMessage.strip()
                : DEFAULT_SUMMARY;
        suggestedPrompts = suggestedPrompts != null ? List.copyOf(suggestedPrompts)
                : List.of(new Prompt("Summarise this channel", summaryMessage),
                        new Prompt("Explain something", "Explain a concept to me in simple terms"),
                        new Prompt("Draft a message", "Help me draft a short, friendly message"));
        checkPrompts("suggested_prompts", suggestedPrompts);
        Map<String, List<Prompt>> overrides = new LinkedHashMap<>();
        if (promptOverrides != null) {
            promptOverrides.forEach((place, prompts) -> {
                if (place == null || !place.matches("[TCG][A-Z0-9]{1,30}")) {
                    throw new ConfigValueException("prompt_overrides", "'" + place + "' is not a workspace or"
                            + " channel id", "key each entry by a Slack id such as T0123ABCD or C0123ABCD");
                }
                List<Prompt> list = prompts == null ? List.of() : List.copyOf(prompts);
                checkPrompts("prompt_overrides." + place, list);
                overrides.put(place, list);
            });
        }
        promptOverrides = Map.copyOf(overrides);
        loadingMessages = loadingMessages != null ? copy(loadingMessages)
                : List.of("Thinking…", "Reading the thread…", "Putting an answer together…");
        if (loadingMessages.isEmpty() || loadingMessages.size() > MAX_LOADING_MESSAGES) {
            throw new ConfigValueException("loading_messages", "needs 1 to " + MAX_LOADING_MESSAGES
                    + " messages, has " + loadingMessages.size(), "list between one and ten short lines");
        }
        for (String line : loadingMessages) {
            if (line == null || line.isBlank() || line.length() > MAX_LOADING_CHARS || line.contains(",")) {
                throw new ConfigValueException("loading_messages", "'" + line + "' must be 1 to "
                        + MAX_LOADING_CHARS + " characters without a comma",
                        "shorten it (Slack shows at most 50 characters) and leave out commas");
            }
        }
        summaryHistory = summaryHistory != null ? summaryHistory : 100;
        if (summaryHistory < 1 || summaryHistory > 200) {
            throw new ConfigValueException("summary_history", "must be 1 to 200", "write e.g. summary_history: 100");
        }
        historyBudget = historyBudget != null ? historyBudget
                : new SwitchboardConfig.RateLimit(10, Duration.ofMinutes(1));
    }

    private static void checkPrompts(String key, List<Prompt> prompts) {
        if (prompts.size() > MAX_PROMPTS) {
            throw new ConfigValueException(key, "Slack shows at most " + MAX_PROMPTS + " suggested prompts, "
                    + prompts.size() + " are listed", "keep four or fewer");
        }
        if (prompts.stream().anyMatch(java.util.Objects::isNull)) {
            throw new ConfigValueException(key, "has an empty entry", "remove it");
        }
    }

    /** The prompts for someone viewing {@code channel} (may be null) in workspace {@code team}. */
    public List<Prompt> promptsFor(String team, String channel) {
        if (channel != null && promptOverrides.containsKey(channel)) {
            return promptOverrides.get(channel);
        }
        return team != null && promptOverrides.containsKey(team) ? promptOverrides.get(team) : suggestedPrompts;
    }
}

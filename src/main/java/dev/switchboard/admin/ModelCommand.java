package dev.switchboard.admin;

import dev.switchboard.answering.ThreadModels;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.routing.Router;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's {@code /model}, the same on every platform, answered privately:
 * <ul>
 *   <li>{@code /model}: the models on offer ({@code routing.user_models}), the user's choice marked;</li>
 *   <li>{@code /model provider/model}: that model answers the user first here (this thread, or this channel where
 *       the command carries no thread); the route's other targets stay behind it as fallbacks;</li>
 *   <li>{@code /model provider/model default}: the same wherever the user asks (a choice here still wins);</li>
 *   <li>{@code /model reset}: both choices cleared, the route decides again.</li>
 * </ul>
 * An operator's pin ({@code /switchboard model}) wins over both; a choice the config no longer offers is ignored,
 * and {@code /model} says so. Thread-safe.
 */
public final class ModelCommand {

    private static final Logger log = LoggerFactory.getLogger(ModelCommand.class);
    /** Longer arguments are refused without a look: no model id comes near it. */
    static final int MAX_ARGUMENT_CHARS = 300;
    private static final String DEFAULT = "default";
    private static final String RESET = "reset";

    private final Router router;
    private final Settings settings;
    private final ThreadModels threads;

    public ModelCommand(Router router, Settings settings, ThreadModels threads) {
        this.router = router;
        this.settings = settings;
        this.threads = threads;
    }

    /**
     * Runs one {@code /model} and words the answer.
     *
     * @param place the thread the command was given in, or {@link ThreadModels#channelScope} of the channel
     * @param user the platform id of the user
     * @param arguments what follows {@code /model}
     */
    public String run(ConversationKey place, String user, String arguments) {
        String args = arguments == null ? "" : arguments.strip();
        if (args.length() > MAX_ARGUMENT_CHARS) {
            return "That is not a model you can choose. " + offer();
        }
        List<String> words = args.isEmpty() ? List.of() : List.of(args.split("\\s+"));
        if (words.isEmpty() || words.getFirst().equalsIgnoreCase("list")) {
            return list(place, user);
        }
        if (words.getFirst().equalsIgnoreCase(RESET) && words.size() == 1) {
            return change(() -> {
                threads.choose(place, user, null);
                settings.change(router, () -> {
                    router.chooseUserDefault(place.platform(), user, null);
                    return null;
                });
            }, "Your choices are cleared: the route decides which model answers you again.");
        }
        boolean asDefault = words.size() == 2 && words.get(1).equalsIgnoreCase(DEFAULT);
        if (words.size() > 2 || (words.size() == 2 && !asDefault)) {
            return "Write `/model provider/model`, `/model provider/model default` or `/model reset`. " + offer();
        }
        String model = words.getFirst();
        if (!router.userModels().contains(model)) {
            return Names.quoted(model) + " is not a model you can choose. " + offer();
        }
        String pinned = pinNote(place);
        if (asDefault) {
            return change(() -> {
                settings.change(router, () -> {
                    router.chooseUserDefault(place.platform(), user, model);
                    return null;
                });
            }, model + " answers you first wherever you ask now (your default; a choice made in a thread wins"
                    + " there). The route's other models stay behind it." + pinned);
        }
        return change(() -> threads.choose(place, user, model), model + " answers you first " + where(place)
                + " now; the route's other models stay behind it." + pinned);
    }

    /** The models on offer, {@code provider/model}, in config order. */
    public List<String> offered() {
        return router.userModels();
    }

    private String list(ConversationKey place, String user) {
        List<String> offered = router.userModels();
        if (offered.isEmpty()) {
            return "No models are offered to choose from (routing.user_models is empty): the route decides.";
        }
        Optional<String> here = threads.choice(place, user);
        Optional<String> byDefault = router.userDefault(place.platform(), user);
        String current = here.filter(offered::contains).or(() -> byDefault.filter(offered::contains)).orElse(null);
        StringBuilder sb = new StringBuilder("Models you can choose (● answers you first ")
                .append(where(place)).append("):\n");
        for (String m : offered) {
            sb.append(m.equals(current) ? "● " : "○ ").append('`').append(m).append('`');
            if (here.filter(m::equals).isPresent()) {
                sb.append(" (your choice ").append(where(place)).append(')');
            } else if (byDefault.filter(m::equals).isPresent()) {
                sb.append(" (your default)");
            }
            sb.append('\n');
        }
        if (current == null) {
            sb.append("You have not chosen one: the route decides.\n");
        }
        here.filter(m -> !offered.contains(m)).ifPresent(m -> sb.append("Your choice ").append(m)
                .append(" is no longer offered (the config changed), so it is ignored.\n"));
        byDefault.filter(m -> !offered.contains(m)).ifPresent(m -> sb.append("Your default ").append(m)
                .append(" is no longer offered (the config changed), so it is ignored.\n"));
        sb.append("Choose: `/model provider/model` (here), `/model provider/model default` (everywhere),"
                + " `/model reset`.");
        sb.append(pinNote(place));
        return sb.toString();
    }

    private String pinNote(ConversationKey place) {
        return router.pinnedModel(place).map(p -> "\nAn operator pinned " + p + " in this channel: it answers"
                + " first here whatever you choose.").orElse("");
    }

    private String offer() {
        List<String> offered = router.userModels();
        return offered.isEmpty() ? "No models are offered to choose from (routing.user_models is empty)."
                : "Choose one of: " + String.join(", ", offered) + ".";
    }

    private static String where(ConversationKey place) {
        return place.thread().equals(ThreadModels.CHANNEL_SCOPE) ? "in this channel" : "in this thread";
    }

    private static String change(Runnable change, String done) {
        try {
            change.run();
            return done;
        } catch (StoreException e) {
            log.warn("a user's model choice could not be stored: {}", e.getMessage());
            return "Your choice could not be saved just now (storage failed). Please try again.";
        }
    }

    /** Users' words echoed only when they look like a model id: nothing they write is repeated as a mention. */
    static final class Names {
        private Names() {
        }

        static String quoted(String word) {
            return word.length() <= 100 && word.matches("[A-Za-z0-9._:/-]+") ? "\"" + word + "\"" : "That";
        }
    }
}

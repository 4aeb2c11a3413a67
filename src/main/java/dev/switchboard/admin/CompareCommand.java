package dev.switchboard.admin;

import dev.switchboard.routing.Router;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a comparison request, the same on every platform: {@code /compare <question>} asks
 * {@code routing.compare_models}; {@code /compare models:a/b,c/d <question>} (or {@code /ask models:… <question>})
 * asks those, two or three, each one offered to users ({@code routing.user_models}) or configured. Stateless but for
 * the router it reads.
 */
public final class CompareCommand {

    /** At most this many models answer one comparison. */
    public static final int MAX_MODELS = 3;
    private static final String MODELS = "models:";

    /** What a comparison request asks. */
    public sealed interface Parsed {
        /** Models to ask and the question. */
        record Compare(List<String> models, String question) implements Parsed { }

        /** Not a comparison: what to tell the user. */
        record Refused(String userMessage) implements Parsed { }
    }

    private final Router router;

    public CompareCommand(Router router) {
        this.router = router;
    }

    /** Whether text starts with a {@code models:} list (an {@code /ask} that compares). */
    public static boolean namesModels(String text) {
        return text != null && text.strip().toLowerCase(Locale.ROOT).startsWith(MODELS);
    }

    /** {@code /compare}'s text: an optional {@code models:a,b} first, then the question. */
    public Parsed parse(String text) {
        String rest = text == null ? "" : text.strip();
        String list = null;
        if (namesModels(rest)) {
            int space = rest.indexOf(' ');
            list = space < 0 ? rest.substring(MODELS.length()) : rest.substring(MODELS.length(), space);
            rest = space < 0 ? "" : rest.substring(space + 1).strip();
        }
        return parse(list, rest);
    }

    /**
     * @param modelList comma-separated {@code provider/model}s, or null or blank for the configured default
     * @param question what to ask
     */
    public Parsed parse(String modelList, String question) {
        List<String> models = new ArrayList<>();
        if (modelList == null || modelList.isBlank()) {
            models.addAll(router.compareModels());
            if (models.isEmpty()) {
                return new Parsed.Refused("Name the models to compare: `/compare models:provider/model,provider/model"
                        + " question` (no default list is set in routing.compare_models). " + offer());
            }
        } else {
            Set<String> named = new LinkedHashSet<>();
            for (String m : modelList.split("[,\\s]+")) {
                if (!m.isBlank()) {
                    named.add(m.strip());
                }
            }
            if (named.size() < 2 || named.size() > MAX_MODELS) {
                return new Parsed.Refused("A comparison takes two or three different models, not " + named.size()
                        + ". " + offer());
            }
            for (String m : named) {
                if (!router.userModels().contains(m) && !router.configured(m)) {
                    return new Parsed.Refused(ModelCommand.Names.quoted(m) + " is not a model I can ask. " + offer());
                }
            }
            models.addAll(named);
        }
        if (question == null || question.isBlank()) {
            return new Parsed.Refused("Add the question after the models, e.g. `/compare what is a monad?`.");
        }
        return new Parsed.Compare(List.copyOf(models), question.strip());
    }

    private String offer() {
        List<String> known = router.userModels().isEmpty() ? router.compareModels() : router.userModels();
        return known.isEmpty() ? "Write each as provider/model, as the config lists them."
                : "You can compare: " + String.join(", ", known) + ".";
    }
}

package dev.switchboard.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.routing.Availability;
import dev.switchboard.routing.Router;
import dev.switchboard.store.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators changed with commands (providers taken out of rotation, models pinned per channel), kept in
 * {@code <data>/.settings.json} and replaced atomically on every change, so a restart keeps them. It lives with the
 * data rather than beside the config because the config is often mounted read-only. Thread-safe.
 */
public final class Settings {

    private static final Logger log = LoggerFactory.getLogger(Settings.class);

    /**
     * The saved state.
     *
     * @param providersOff providers an operator turned off
     * @param pins {@code platform/workspace/channel} to the {@code provider/model} pinned there
     * @param routes {@code platform/workspace/channel} to the route chosen there
     * @param prompts {@code platform/workspace/channel} to the system prompt set there
     */
    public record State(List<String> providersOff, Map<String, String> pins, Map<String, String> routes,
                        Map<String, String> prompts) {
        public State {
            providersOff = providersOff == null ? List.of() : List.copyOf(new TreeSet<>(providersOff));
            pins = pins == null ? Map.of() : Map.copyOf(new TreeMap<>(pins));
            routes = routes == null ? Map.of() : Map.copyOf(new TreeMap<>(routes));
            prompts = prompts == null ? Map.of() : Map.copyOf(new TreeMap<>(prompts));
        }
    }

    private final ObjectMapper json = new ObjectMapper();
    private final Path file;
    private final boolean fsync;

    public Settings(Path dataFolder, boolean fsync) {
        this.file = dataFolder.resolve(".settings.json");
        this.fsync = fsync;
    }

    /** Applies the saved settings to the router; a damaged file is reported and left for the operator. */
    public void applyTo(Router router) {
        State state;
        try {
            state = json.readValue(Files.readAllBytes(file), State.class);
        } catch (NoSuchFileException none) {
            return;
        } catch (IOException e) {
            log.error("operator settings in {} could not be read ({}); starting without them", file, e.getMessage());
            return;
        }
        for (String provider : state.providersOff()) {
            if (!router.setProviderEnabled(provider, false)) {
                log.warn("operator settings turn off provider {}, which the config no longer has", provider);
            }
        }
        state.pins().forEach((scope, target) -> {
            String problem = router.pinModel(channel(scope), target);
            if (problem != null) {
                log.warn("operator settings pin {} in {}, which is not possible now: {}", target, scope, problem);
            }
        });
        state.routes().forEach((scope, route) -> {
            String problem = router.chooseRoute(channel(scope), route);
            if (problem != null) {
                log.warn("operator settings choose route {} in {}, which is not possible now: {}", route, scope,
                        problem);
            }
        });
        state.prompts().forEach((scope, prompt) -> router.choosePrompt(channel(scope), prompt));
        log.info("operator settings: {} providers turned off, {} model pins, {} routes, {} prompts",
                state.providersOff().size(), state.pins().size(), state.routes().size(), state.prompts().size());
    }

    private static ConversationKey channel(String scope) {
        String[] parts = scope.split("/", 3);
        return new ConversationKey(parts[0], parts.length > 1 ? parts[1] : "-", parts.length > 2 ? parts[2] : "-",
                "-");
    }

    /** Saves the router's current operator settings. */
    public synchronized void save(Router router) {
        State state = new State(router.providers().stream()
                .filter(p -> p.availability() instanceof Availability.TurnedOff).map(Router.ProviderStatus::name)
                .toList(), router.pins(), router.routeChoices(), router.promptChoices());
        try {
            AtomicFiles.write(file, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(state), fsync, true);
        } catch (IOException e) {
            throw new UncheckedIOException("operator settings could not be saved", e);
        }
    }
}

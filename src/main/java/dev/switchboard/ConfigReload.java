package dev.switchboard;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.logging.SecretMasker;
import dev.switchboard.routing.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import net.logstash.logback.argument.StructuredArguments;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /switchboard reload}: reads the config again and applies what can change while running (providers and
 * routing through the router's registry, operators), naming what waits for a restart. Thread-safe: one reload at a
 * time.
 */
final class ConfigReload {

    private static final Logger log = LoggerFactory.getLogger(Service.class);

    private final SwitchboardConfig config;
    private final Supplier<ConfigLoader.Loaded> reread;
    private final Router router;
    private final ConfiguredOperators operators;

    /**
     * @param config the config the service started with; sections that differ from it need a restart
     * @param reread reads the config again (throws {@link ConfigException} when it is not usable)
     */
    ConfigReload(SwitchboardConfig config, Supplier<ConfigLoader.Loaded> reread, Router router,
                 ConfiguredOperators operators) {
        this.config = config;
        this.reread = reread;
        this.router = router;
        this.operators = operators;
    }

    /** A config that does not load leaves everything as it is; the answer says what is wrong. */
    synchronized String reload() {
        ConfigLoader.Loaded next;
        try {
            next = reread.get();
        } catch (ConfigException e) {
            String why = SecretMasker.mask(e.getMessage());
            log.warn("reload refused; the running config stays: {}", why);
            return "not reloaded, the running config stays. " + why;
        }
        SecretMasker.register(next.secretValues()); // before anything can print them
        SwitchboardConfig fresh = next.config();
        Router.Changes changes = router.reconfigure(RouterOptionsMapping.of(fresh));
        router.useToolOptions(ToolWiring.options(fresh)); // tools allowed where; servers change on restart
        operators.replace(fresh.operators());
        List<String> waiting = new ArrayList<>();
        if (!fresh.slack().equals(config.slack())) {
            waiting.add("slack");
        }
        if (!fresh.discord().equals(config.discord())) {
            waiting.add("discord");
        }
        if (!fresh.storage().equals(config.storage())) {
            waiting.add("storage");
        }
        if (!fresh.ops().equals(config.ops())) {
            waiting.add("ops");
        }
        if (!fresh.logging().equals(config.logging())) {
            waiting.add("logging");
        }
        if (!fresh.feedback().equals(config.feedback())) {
            waiting.add("feedback");
        }
        for (String warning : next.warnings()) {
            log.warn("config: {}", warning);
        }
        String answer = "reloaded " + next.source() + ": providers and routing applied (added "
                + listOrNone(changes.added()) + ", changed " + listOrNone(changes.changed()) + ", removed "
                + listOrNone(changes.removed()) + "), operators applied."
                + (waiting.isEmpty() ? "" : " Changed but applied only at the next restart: "
                + String.join(", ", waiting) + ".");
        log.info("config reloaded {}", StructuredArguments.kv("restart_needed",
                waiting));
        return answer;
    }

    private static String listOrNone(List<String> names) {
        return names.isEmpty() ? "none" : String.join(", ", names);
    }
}

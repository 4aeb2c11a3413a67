package dev.switchboard.routing;

import dev.switchboard.RouterOptionsMapping;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.Turn;
import dev.switchboard.testing.Turns;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.LoggerFactory;

/** Builds routers from YAML for the routing tests, and listens to what they log. */
final class TestRouters {

    private TestRouters() {
    }

    static SwitchboardConfig config(String yaml) {
        return new ConfigLoader().parse(yaml, "test.yaml", Map.of()).config();
    }

    static Router router(String yaml, ScheduledExecutorService scheduler, Clock clock) {
        return new Router(RouterOptionsMapping.of(config(yaml)), new ModelFactory(), scheduler, clock, new Random(7), new SimpleMeterRegistry());
    }

    /**
     * A route of two providers: {@code primary} (of the given wire format) first, then {@code secondary} (Anthropic)
     * as its fallback. Each extra is YAML indented under its provider, or empty.
     */
    static String twoProviders(String primaryType, String primaryUrl, String primaryExtra, String secondaryUrl,
                               String secondaryExtra) {
        return """
                providers:
                  primary:
                    type: %s
                    api_key: test-key-primary-000
                    base_url: %s
                    models: [model-a]
                %s
                  secondary:
                    type: anthropic
                    api_key: test-key-secondary-000
                    base_url: %s
                    models: [model-b]
                %s
                routing:
                  default_route: main
                  routes:
                    main:
                      targets: [primary/model-a, {target: secondary/model-b, priority: 1}]
                """.formatted(primaryType, primaryUrl, primaryExtra.indent(4).stripTrailing(), secondaryUrl,
                secondaryExtra.indent(4).stripTrailing());
    }

    static ReplyRequest question(String text) {
        return new ReplyRequest(Turns.slackKey("t1"), List.of(Turns.user("U1", text, Instant.now())), "Ada", "#c");
    }

    static ReplyRequest longConversation(int turns) {
        List<Turn> history = new java.util.ArrayList<>();
        for (int i = 0; i < turns; i++) {
            history.add(Turns.user("U1", "old turn " + i + " " + "x".repeat(80), Instant.now()));
        }
        history.add(Turns.user("U1", "the question", Instant.now()));
        return new ReplyRequest(Turns.slackKey("t1"), history, "Ada", "#c");
    }

    /** Collects what the routing package logs until closed. */
    static final class Logs implements AutoCloseable {
        private final Logger logger = (Logger) LoggerFactory.getLogger("dev.switchboard.routing");
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

        Logs() {
            appender.start();
            logger.addAppender(appender);
        }

        List<String> errors() {
            return appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                    .map(ILoggingEvent::getFormattedMessage).toList();
        }

        @Override
        public void close() {
            logger.detachAppender(appender);
        }
    }
}

package dev.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.RouterOptionsMapping;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.OperatorSettings;
import dev.switchboard.conversation.SettingsStore;
import dev.switchboard.routing.ModelFactory;
import dev.switchboard.routing.Router;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Settings applied over the ones a router holds, and one node's change laid over what others saved; no database. */
class SettingsTest {

    private static final ConversationKey C1 = new ConversationKey("slack", "T1", "C1", "-");
    private static final ConversationKey C2 = new ConversationKey("slack", "T1", "C2", "-");

    /** Saved settings in memory, as another node would also see and change them. */
    private static final class Saved implements SettingsStore {
        final AtomicReference<OperatorSettings> state = new AtomicReference<>();
        final AtomicInteger saves = new AtomicInteger();

        @Override
        public Optional<OperatorSettings> load() {
            return Optional.ofNullable(state.get());
        }

        @Override
        public void save(OperatorSettings settings) {
            saves.incrementAndGet();
            state.set(settings);
        }
    }

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Router router = new Router(RouterOptionsMapping.of(new ConfigLoader().parse("""
            providers:
              main: {type: openai, api_key: test-key-000000, base_url: "http://127.0.0.1:9/v1", models: [m]}
              spare: {type: openai, api_key: test-key-000001, base_url: "http://127.0.0.1:9/v1", models: [s]}
            routing:
              default_route: usual
              user_models: [main/m, spare/s]
              routes:
                usual: {targets: [main/m, spare/s]}
                quick: {targets: [spare/s]}
            """, "test.yaml", Map.of()).config()), new ModelFactory(), scheduler, Clock.systemUTC(), new Random(7),
            new SimpleMeterRegistry());
    private final Saved saved = new Saved();
    private final Settings settings = new Settings(saved);

    @AfterEach
    void stop() {
        router.close();
        scheduler.shutdownNow();
    }

    private static OperatorSettings state(List<String> off, Map<String, String> pins, Map<String, String> routes,
                                          Map<String, String> prompts, Map<String, String> users) {
        return new OperatorSettings(off, pins, routes, prompts, users);
    }

    @Test
    void refresh_appliesANewStateOverAnOld_undoingWhatTheNewOneLacks() {
        saved.state.set(state(List.of("main"), Map.of("slack/T1/C1", "spare/s", "slack/T1/C2", "main/m"),
                Map.of("slack/T1/C1", "quick"), Map.of("slack/T1/C1", "Be brief."), Map.of("slack/U1", "spare/s")));
        settings.applyTo(router);
        assertThat(SettingsChanges.of(router)).isEqualTo(saved.state.get());

        OperatorSettings next = state(List.of("spare"), Map.of("slack/T1/C2", "spare/s"), Map.of(),
                Map.of("slack/T1/C2", "Be kind."), Map.of("slack/U2", "main/m"));
        saved.state.set(next);
        settings.refresh(router);

        assertThat(SettingsChanges.of(router)).isEqualTo(next);
        assertThat(router.providers()).filteredOn(p -> p.name().equals("main")).singleElement()
                .extracting(Router.ProviderStatus::unavailable).isNull();
        assertThat(router.pinnedModel(C1)).isEmpty();
        assertThat(router.pinnedModel(C2)).contains("spare/s");
        assertThat(router.userDefault("slack", "U1")).isEmpty();

        saved.state.set(null); // all reset: nothing saved reads as no settings
        settings.refresh(router);
        assertThat(SettingsChanges.of(router)).isEqualTo(OperatorSettings.NONE);
        assertThat(saved.saves).hasValue(0);
    }

    @Test
    void change_laysOnlyItsOwnChangeOverWhatAnotherNodeSavedMeanwhile_andTakesThatIn() {
        saved.state.set(state(List.of(), Map.of("slack/T1/C1", "spare/s"), Map.of(), Map.of(), Map.of()));
        settings.applyTo(router);
        AtomicInteger told = new AtomicInteger();
        settings.whenChanged(told::incrementAndGet);
        // Another node turned main off and removed the pin; this one has not heard yet.
        saved.state.set(state(List.of("main"), Map.of(), Map.of(), Map.of(), Map.of("slack/U9", "main/m")));

        String problem = settings.change(router, () -> router.chooseRoute(C2, "quick"));

        assertThat(problem).isNull();
        OperatorSettings both = state(List.of("main"), Map.of(), Map.of("slack/T1/C2", "quick"), Map.of(),
                Map.of("slack/U9", "main/m"));
        assertThat(saved.state.get()).isEqualTo(both);
        assertThat(SettingsChanges.of(router)).isEqualTo(both);
        assertThat(told).hasValue(1);
    }

    @Test
    void change_thatAltersNothing_savesNothingAndTellsNobody() {
        AtomicInteger told = new AtomicInteger();
        settings.whenChanged(told::incrementAndGet);

        assertThat(settings.change(router, () -> router.chooseRoute(C1, "no-such-route"))).isNotNull();
        assertThat(settings.change(router, () -> router.setProviderEnabled("main", true))).isTrue();

        assertThat(saved.saves).hasValue(0);
        assertThat(told).hasValue(0);
    }

    @Test
    void merge_undoesWhatTheChangeUndid_andKeepsWhatItDidNotTouch() {
        OperatorSettings before = state(List.of("main"), Map.of("a", "main/m"), Map.of(), Map.of("a", "x"), Map.of());
        OperatorSettings after = state(List.of(), Map.of("a", "main/m"), Map.of(), Map.of(), Map.of("u", "spare/s"));
        OperatorSettings others = state(List.of("main", "spare"), Map.of("a", "spare/s"), Map.of("b", "quick"),
                Map.of("a", "x", "b", "y"), Map.of());

        assertThat(SettingsChanges.merge(before, after, others)).isEqualTo(state(List.of("spare"),
                Map.of("a", "spare/s"), Map.of("b", "quick"), Map.of("b", "y"), Map.of("u", "spare/s")));
    }
}

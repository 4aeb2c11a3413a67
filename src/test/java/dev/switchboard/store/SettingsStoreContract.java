package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.conversation.OperatorSettings;
import dev.switchboard.conversation.SettingsStore;
import dev.switchboard.conversation.StoreException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What every {@link SettingsStore} guarantees; each {@link #open} is a fresh instance on the same data. */
abstract class SettingsStoreContract {

    protected abstract SettingsStore open();

    /** Damages the saved settings the way the backend can be damaged. */
    protected abstract void damage() throws Exception;

    private static final OperatorSettings CHANGED = new OperatorSettings(List.of("spare", "main"),
            Map.of("slack/T1/C1", "spare/s-large"), Map.of("discord/G1/C2", "fast"),
            Map.of("slack/T1/C3", "Answer like a pirate."), Map.of("slack/U1", "spare/s-large"));

    @Test
    void load_nothingSaved_isEmpty() {
        assertThat(open().load()).isEmpty();
    }

    @Test
    void save_survivesAFreshStore_sorted() {
        open().save(CHANGED);

        OperatorSettings loaded = open().load().orElseThrow();

        assertThat(loaded).isEqualTo(CHANGED);
        assertThat(loaded.providersOff()).containsExactly("main", "spare");
    }

    @Test
    void save_replacesEverythingSavedBefore() {
        SettingsStore store = open();
        store.save(CHANGED);
        store.save(OperatorSettings.NONE);

        assertThat(open().load()).contains(OperatorSettings.NONE);
    }

    @Test
    void load_damaged_failsWithAStoreException_andTheNextSaveReplacesIt() throws Exception {
        open().save(CHANGED);
        damage();

        assertThatThrownBy(() -> open().load()).isInstanceOf(StoreException.class)
                .hasMessageContaining("operator settings");
        open().save(CHANGED);
        assertThat(open().load()).contains(CHANGED);
    }
}

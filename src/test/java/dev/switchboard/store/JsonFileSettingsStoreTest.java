package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conversation.OperatorSettings;
import dev.switchboard.conversation.SettingsStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The settings contract on {@code <data>/.settings.json}. */
class JsonFileSettingsStoreTest extends SettingsStoreContract {

    @TempDir
    Path dir;

    @Override
    protected SettingsStore open() {
        return new JsonFileSettingsStore(dir, true);
    }

    @Override
    protected void damage() throws Exception {
        Files.writeString(dir.resolve(".settings.json"), "{not json");
    }

    @Test
    void save_writesTheFileWithTheDataAndKeepsTheLastVersion() throws Exception {
        open().save(new OperatorSettings(List.of("main"), null, null, null));
        open().save(new OperatorSettings(List.of("spare"), null, null, null));

        assertThat(Files.readString(dir.resolve(".settings.json"))).contains("\"providersOff\"").contains("spare");
        assertThat(Files.readString(dir.resolve(".settings.json.bak"))).contains("main");
    }
}

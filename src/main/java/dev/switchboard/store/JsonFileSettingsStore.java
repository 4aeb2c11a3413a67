package dev.switchboard.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.conversation.OperatorSettings;
import dev.switchboard.conversation.SettingsStore;
import dev.switchboard.conversation.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import dev.switchboard.json.Json;

/**
 * Operator settings in {@code <data>/.settings.json}, replaced atomically on every change with the previous version
 * kept as a backup. It lives with the data rather than beside the config because the config is often mounted
 * read-only. Thread-safe.
 */
public final class JsonFileSettingsStore implements SettingsStore {

    private final ObjectMapper json = Json.plain();
    private final Path file;
    private final boolean fsync;

    public JsonFileSettingsStore(Path dataFolder, boolean fsync) {
        this.file = dataFolder.resolve(".settings.json");
        this.fsync = fsync;
    }

    @Override
    public Optional<OperatorSettings> load() {
        try {
            return Optional.of(json.readValue(Files.readAllBytes(file), OperatorSettings.class));
        } catch (NoSuchFileException none) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("operator settings in " + file + " could not be read (" + e.getMessage() + ")",
                    e);
        }
    }

    @Override
    public synchronized void save(OperatorSettings settings) {
        try {
            AtomicFiles.write(file, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(settings), fsync, true);
        } catch (IOException e) {
            throw new StoreException("operator settings could not be saved", e);
        }
    }
}

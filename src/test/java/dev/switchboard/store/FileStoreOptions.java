package dev.switchboard.store;

import java.nio.file.Path;

/** The file store's options as the config's defaults set them, for tests and benchmarks. */
final class FileStoreOptions {

    private FileStoreOptions() {
    }

    static JsonFileConversationStore.Options defaults(Path root) {
        return new JsonFileConversationStore.Options(root, true, true, 40_000, 128, 64L << 20);
    }
}

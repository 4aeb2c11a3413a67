package dev.switchboard.store;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.Turn;
import dev.switchboard.store.postgres.PostgresStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The child process of {@link CrashSafetyTest}: appends turns from several threads until it is killed, printing
 * {@code ack <thread> <text>} after each append returns. Arguments: where to store (a data folder, or a
 * {@code jdbc:postgresql:} URL of a database the user {@code postgres} may use without a password), round number.
 */
public final class CrashAppender {

    static final int WRITERS = 4;
    static final int TURNS_PER_FILE = 8;

    public static void main(String[] args) throws Exception {
        int round = Integer.parseInt(args[1]);
        ConversationStore store = open(args[0]);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
        Thread[] threads = new Thread[WRITERS];
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            threads[w] = new Thread(() -> {
                // Writers 0 and 1 share a thread; 2 and 3 have their own.
                ConversationKey key = keyOf(writer);
                for (int i = 0; ; i++) {
                    String text = "w" + writer + "-r" + round + "-" + i;
                    store.append(key, Turn.user("U" + writer, "writer " + writer, text, java.time.Instant.now(),
                            List.of()));
                    synchronized (out) {
                        out.println("ack " + writer + " " + text);
                        out.flush();
                    }
                }
            });
            threads[w].start();
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /** The store the writers append to; on PostgreSQL the storage stays open until the process dies. */
    static ConversationStore open(String where) {
        if (where.startsWith("jdbc:postgresql:")) {
            PostgresStorage storage = PostgresStorage.open(new PostgresStorage.Options(where, "postgres", "", WRITERS,
                    Duration.ofSeconds(30)), Clock.systemUTC(), new SimpleMeterRegistry());
            return storage.conversations(new PostgresStorage.Limits(40_000, TURNS_PER_FILE, 8L << 20));
        }
        Path root = Path.of(where);
        JsonFileConversationStore.Options d = FileStoreOptions.defaults(root);
        return new JsonFileConversationStore(new JsonFileConversationStore.Options(root, true, true, d.maxTurnChars(),
                TURNS_PER_FILE, d.cacheMaxBytes()), Clock.systemUTC(), new SimpleMeterRegistry());
    }

    static ConversationKey keyOf(int writer) {
        return new ConversationKey("slack", "T1", "C1", writer < 2 ? "shared" : "own-" + writer);
    }
}

package dev.switchboard.store;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Turn;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * The child process of {@link CrashSafetyTest}: appends turns from several threads until it is killed, printing
 * {@code ack <thread> <text>} after each append returns. Arguments: data folder, round number.
 */
public final class CrashAppender {

    static final int WRITERS = 4;
    static final int TURNS_PER_FILE = 8;

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int round = Integer.parseInt(args[1]);
        JsonFileConversationStore.Options d = FileStoreOptions.defaults(root);
        JsonFileConversationStore store = new JsonFileConversationStore(new JsonFileConversationStore.Options(root,
                true, true, d.maxTurnChars(), TURNS_PER_FILE, d.cacheMaxBytes()), Clock.systemUTC(),
                new SimpleMeterRegistry());
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

    static ConversationKey keyOf(int writer) {
        return new ConversationKey("slack", "T1", "C1", writer < 2 ? "shared" : "own-" + writer);
    }
}

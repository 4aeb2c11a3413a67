package dev.switchboard.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A soak's data folder through the real {@code ./switchboard store copy} and back (issue 18): files → PostgreSQL →
 * files, each copy run by the launcher as its own process, then every conversation's export, the settings, the audit
 * log and the usage ledger must be the same in the database and in the new folder as in the soak's folder, which the
 * copies only read. Run with the service stopped. Not thread-safe.
 */
final class StoreRoundTrip {

    private final Path repo;
    private final Path dir;

    /** @param dir a folder for the configs, the copies' output and the folder copied back into */
    StoreRoundTrip(Path repo, Path dir) {
        this.repo = repo;
        this.dir = dir;
    }

    /** @param soak the soak's files, and the (empty) database to copy through; @return one line for the table */
    String check(SoakStorage soak) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Map<String, Object> before = soak.everything();
        SoakStorage database = soak.withBackend("postgres", soak.folder());
        SoakStorage back = soak.withBackend("postgres", dir.resolve("copied-back"));
        long t1 = System.nanoTime();
        String there = copy(soak, "postgres");
        long t2 = System.nanoTime();
        String home = copy(back, "files");
        long t3 = System.nanoTime();

        assertThat(database.everything()).as("the database after the copy from the soak's folder")
                .isEqualTo(before);
        Map<String, Object> after = back.withBackend("files", back.folder()).everything();
        before.keySet().forEach(k -> assertThat(after.get(k)).as("%s copied back", k).isEqualTo(before.get(k)));
        assertThat(after).as("the folder copied back").isEqualTo(before);
        assertThat(soak.everything()).as("the soak's folder, only read").isEqualTo(before);
        long t4 = System.nanoTime();
        return String.format(Locale.ROOT, "%d conversations the same after files -> postgres -> files in %.1f s (read"
                + " %.1f, copy there %.1f, back %.1f, compare %.1f); there: %s; back: %s", before.size() - 3,
                (t4 - t0) / 1e9, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9, there, home);
    }

    /** Runs {@code store copy --to target} on the config of {@code from}; @return the final count line */
    private String copy(SoakStorage from, String target) throws IOException, InterruptedException {
        Path config = dir.resolve("copy-to-" + target + ".yaml");
        Files.writeString(config, from.yaml() + "\n");
        Path output = dir.resolve("copy-to-" + target + ".out");
        Process process = new ProcessBuilder(repo.resolve("switchboard").toString(), "--config", config.toString(),
                "store", "copy", "--to", target)
                .directory(repo.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("store copy --to %s finishes", target).isTrue();
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("store copy --to %s:%n%s", target, String.join("\n", lines)).isZero();
        String counts = lines.stream().filter(l -> l.startsWith("copied: ")).reduce((a, b) -> b).orElse("");
        assertThat(counts).as("the final count per kind").contains("conversations", "turns", "settings",
                "audit entries", "usage records");
        return counts.substring("copied: ".length());
    }
}

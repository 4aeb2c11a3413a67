package dev.switchboard.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.conversation.UsageLedger;
import dev.switchboard.conversation.UsageRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.switchboard.json.Json;

/**
 * Usage as JSON lines, one file a month: {@code <root>/.usage/<yyyy>-<mm>.jsonl}. Records are written in order by one
 * thread of the ledger's own, so no caller waits for the disk; each is a whole line written with one call, and a line
 * cut by a crash is skipped when read. Reports read only the months they cover and see every record handed in before
 * they were asked. Thread-safe.
 */
public final class JsonLinesUsageLedger implements UsageLedger, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JsonLinesUsageLedger.class);

    private final Path dir;
    private final boolean fsync;
    private final ObjectMapper mapper = Json.documents();
    /** Files this process has appended to: only a file from before can end mid-line. */
    private final java.util.Set<Path> checked = new java.util.HashSet<>();
    private final java.util.concurrent.ExecutorService writer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "usage-ledger");
        t.setDaemon(true);
        return t;
    });

    public JsonLinesUsageLedger(Path root, boolean fsync) {
        this.dir = root.resolve(".usage");
        this.fsync = fsync;
        try {
            AtomicFiles.ensureDirectory(dir, fsync);
        } catch (IOException e) {
            throw new StoreException("cannot create the usage folder " + dir, e);
        }
    }

    private Path file(YearMonth month) {
        return dir.resolve(month + ".jsonl");
    }

    @Override
    public void record(UsageRecord usage) {
        try {
            writer.execute(() -> write(usage));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            write(usage);
        }
    }

    private synchronized void write(UsageRecord usage) {
        try {
            Path file = file(YearMonth.from(usage.at().atZone(ZoneOffset.UTC)));
            // A line cut short by a crash has no newline: start on a fresh line, or this record is lost with it.
            String prefix = endsMidLine(file) ? "\n" : "";
            byte[] line = (prefix + mapper.writeValueAsString(usage) + "\n").getBytes(StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buffer = ByteBuffer.wrap(line);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                if (fsync) {
                    channel.force(false);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.error("could not record usage of a reply: {}", e.toString());
        }
    }

    private boolean endsMidLine(Path file) throws IOException {
        if (checked.contains(file) || !Files.exists(file)) {
            checked.add(file);
            return false;
        }
        checked.add(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                return false;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            channel.read(last, size - 1);
            return last.get(0) != '\n';
        }
    }

    @Override
    public List<UsageRecord> since(Instant since) {
        drain();
        YearMonth first = YearMonth.from(since.atZone(ZoneOffset.UTC));
        List<UsageRecord> out = new ArrayList<>();
        List<Path> months;
        try (Stream<Path> files = Files.list(dir)) {
            months = files.filter(p -> p.getFileName().toString().matches("\\d{4}-\\d{2}\\.jsonl"))
                    .filter(p -> !YearMonth.parse(p.getFileName().toString().substring(0, 7)).isBefore(first))
                    .sorted().toList();
        } catch (IOException e) {
            throw new StoreException("cannot list the usage folder", e);
        }
        for (Path month : months) {
            try (BufferedReader reader = Files.newBufferedReader(month, StandardCharsets.UTF_8)) {
                for (String line; (line = reader.readLine()) != null; ) {
                    try {
                        UsageRecord r = mapper.readValue(line, UsageRecord.class);
                        if (!r.at().isBefore(since)) {
                            out.add(r);
                        }
                    } catch (IOException | RuntimeException unreadable) {
                        // A line cut short by a crash: the rest of the file is still good.
                    }
                }
            } catch (IOException e) {
                throw new StoreException("cannot read usage file " + month.getFileName(), e);
            }
        }
        return out;
    }

    /**
     * Rewrites each month that mentions the user, atomically, with the user's id blanked: totals by provider and
     * channel stay right, nothing points at the person any more. Lines a crash cut short are dropped on the way.
     */
    @Override
    public int forgetUser(String platform, String userId) {
        // Drain before taking the lock: the writer needs it to finish the records queued ahead of this call.
        drain();
        return blank(platform, userId);
    }

    private synchronized int blank(String platform, String userId) {
        int changed = 0;
        List<Path> months;
        try (Stream<Path> files = Files.list(dir)) {
            months = files.filter(p -> p.getFileName().toString().matches("\\d{4}-\\d{2}\\.jsonl")).sorted().toList();
        } catch (IOException e) {
            throw new StoreException("cannot list the usage folder", e);
        }
        for (Path month : months) {
            StringBuilder kept = new StringBuilder();
            int here = 0;
            try (BufferedReader reader = Files.newBufferedReader(month, StandardCharsets.UTF_8)) {
                for (String line; (line = reader.readLine()) != null; ) {
                    UsageRecord r;
                    try {
                        r = mapper.readValue(line, UsageRecord.class);
                    } catch (IOException | RuntimeException unreadable) {
                        continue;
                    }
                    if (r.platform().equals(platform) && r.user().equals(userId)) {
                        r = new UsageRecord(r.at(), r.platform(), r.workspace(), r.channel(), "", r.provider(),
                                r.model(), r.inputTokens(), r.outputTokens(), r.costUsd());
                        here++;
                    }
                    kept.append(mapper.writeValueAsString(r)).append('\n');
                }
                if (here > 0) {
                    AtomicFiles.write(month, kept.toString().getBytes(StandardCharsets.UTF_8), fsync, false);
                    changed += here;
                }
            } catch (IOException e) {
                throw new StoreException("cannot rewrite usage file " + month.getFileName(), e);
            }
        }
        return changed;
    }

    /** Waits until every record handed in so far is written. */
    private void drain() {
        try {
            writer.submit(() -> { }).get();
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // closed: everything was written on the way out
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
                log.warn("usage records still queued at shutdown were not written");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

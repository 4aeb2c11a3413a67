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

/**
 * Usage as JSON lines, one file a month: {@code <root>/.usage/<yyyy>-<mm>.jsonl}. Appends are whole lines written
 * with one call under a lock; a line cut by a crash is skipped when read. Reports read only the months they cover.
 * Thread-safe.
 */
public final class JsonLinesUsageLedger implements UsageLedger {

    private static final Logger log = LoggerFactory.getLogger(JsonLinesUsageLedger.class);

    private final Path dir;
    private final boolean fsync;
    private final ObjectMapper mapper = new DocumentCodec().mapper();

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
    public synchronized void record(UsageRecord usage) {
        try {
            byte[] line = (mapper.writeValueAsString(usage) + "\n").getBytes(StandardCharsets.UTF_8);
            Path file = file(YearMonth.from(usage.at().atZone(ZoneOffset.UTC)));
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

    @Override
    public List<UsageRecord> since(Instant since) {
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
}

package dev.switchboard;

import dev.switchboard.conversation.AuditLog;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationQuery;
import dev.switchboard.conversation.ConversationSummary;
import dev.switchboard.conversation.OperatorSettings;
import dev.switchboard.conversation.Turn;
import dev.switchboard.conversation.UsageRecord;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Copies everything one backend holds to another through the store ports only: conversations turn by turn (the seen
 * messages follow from the turns), their metadata, operator settings, the audit log and the usage ledger. It only
 * adds what the target lacks, so a second run copies nothing and a run killed half-way resumes where it stopped; the
 * source is only read. Not thread-safe.
 */
final class StoreCopy {

    /** A note name no one writes: removing it changes a thread's times only. */
    static final String TOUCH = "switchboard.store-copy";

    /** The platforms Switchboard writes conversations for. */
    static final List<String> PLATFORMS = List.of("slack", "discord", "shell");

    /**
     * What one run copied.
     *
     * @param conversations threads that got at least one turn or metadata entry
     * @param turns turns appended
     * @param skipped threads left alone because the target holds a different history for them
     * @param settings 1 when the operator settings were copied
     * @param audit audit entries written
     * @param usage usage records written
     */
    record Counts(int conversations, int turns, int skipped, int settings, int audit, int usage) {
        String describe() {
            return "copied: " + conversations + " conversations (" + turns + " turns), " + settings + " settings, "
                    + audit + " audit entries, " + usage + " usage records"
                    + (skipped == 0 ? "" : "; " + skipped + " conversations skipped (they differ in the target)");
        }
    }

    /**
     * The target's clock: the system's, except while the copy writes metadata, when it reads the source's last change,
     * so the copy's {@code updatedAt} is the source's and not the day of the copy. Thread-safe.
     */
    static final class TargetClock extends Clock {
        private final AtomicReference<Instant> fixed = new AtomicReference<>();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            Instant at = fixed.get();
            return at != null ? at : Instant.now();
        }
    }

    private final Stores from;
    private final Stores to;
    private final TargetClock toClock;
    private final CopyProgress progress;

    /** @param toClock the clock {@code to} was opened with */
    StoreCopy(Stores from, Stores to, TargetClock toClock, CopyProgress progress) {
        this.from = from;
        this.to = to;
        this.toClock = toClock;
        this.progress = progress;
    }

    Counts run() {
        List<ConversationSummary> threads = new ArrayList<>();
        for (String platform : PLATFORMS) {
            threads.addAll(from.conversations().list(new ConversationQuery(platform, null, null, null, null)));
        }
        int conversations = 0;
        int turns = 0;
        int skipped = 0;
        progress.start("conversations", threads.size());
        for (ConversationSummary thread : threads) {
            int copied = conversation(thread);
            conversations += copied > 0 ? 1 : 0;
            turns += Math.max(copied - 1, 0);
            skipped += copied < 0 ? 1 : 0;
            progress.advance();
        }
        progress.finish();
        int settings = settings();
        int audit = missing("audit entries", from.audit().entries(), to.audit().entries(), StoreCopy::auditKey,
                e -> to.audit().record(e.at(), e.platform(), e.userId(), e.command(), e.result()));
        int usage = missing("usage records", from.usage().since(Instant.EPOCH), to.usage().since(Instant.EPOCH),
                StoreCopy::usageKey, r -> to.usage().record(r));
        return new Counts(conversations, turns, skipped, settings, audit, usage);
    }

    /**
     * @return -1 when skipped, 0 when nothing was missing, else 1 + the turns appended. The target's start and last
     *     change end as the source's: a thread begun by a note rather than a turn, or whose last change removed a
     *     note, has times no turn carries, so the copy sets them by removing a note no one writes ({@link #TOUCH}).
     */
    private int conversation(ConversationSummary summary) {
        ConversationKey key = summary.key();
        Optional<Conversation> found = from.conversations().loadComplete(key);
        if (found.isEmpty()) {
            return 0; // deleted since it was listed
        }
        Conversation source = found.get();
        Conversation target = to.conversations().loadComplete(key).orElse(null);
        List<Turn> wanted = source.turns();
        List<Turn> present = target == null ? List.of() : target.turns();
        if (present.size() > wanted.size() || !wanted.subList(0, present.size()).equals(present)) {
            progress.note("skipped " + key + ": the target holds a different history for it");
            return -1;
        }
        boolean changed = false;
        if (target == null && (wanted.isEmpty() || !wanted.getFirst().at().equals(source.startedAt()))) {
            target = touch(key, source.startedAt());
            changed = true;
        }
        for (Turn turn : wanted.subList(present.size(), wanted.size())) {
            target = to.conversations().append(key, turn);
        }
        changed |= AttachmentCopy.copy(from.conversations(), to.conversations(), key, wanted);
        toClock.fixed.set(source.updatedAt());
        try {
            Map<String, String> targetMetadata = target == null ? Map.of() : target.metadata();
            for (Map.Entry<String, String> entry : source.sortedMetadata().entrySet()) {
                if (!entry.getValue().equals(targetMetadata.get(entry.getKey()))) {
                    target = to.conversations().putMetadata(key, entry.getKey(), entry.getValue());
                    changed = true;
                }
            }
        } finally {
            toClock.fixed.set(null);
        }
        // Verdicts change no thread's last change: copied as given, after the answers they are on.
        java.util.Set<dev.switchboard.conversation.Feedback> there =
                new java.util.HashSet<>(to.conversations().feedback(key));
        for (dev.switchboard.conversation.Feedback f : from.conversations().feedback(key)) {
            if (!there.contains(f)) {
                to.conversations().giveFeedback(key, f.answer(), f.userId(), f.verdict(), f.at());
                changed = true;
            }
        }
        if (target != null && target.updatedAt().isBefore(source.updatedAt())) {
            touch(key, source.updatedAt());
            changed = true;
        }
        int appended = wanted.size() - present.size();
        return appended > 0 || changed ? appended + 1 : 0;
    }

    /** Creates the thread or moves its last change to {@code at}, changing nothing it holds. */
    private Conversation touch(ConversationKey key, Instant at) {
        toClock.fixed.set(at);
        try {
            return to.conversations().putMetadata(key, TOUCH, null);
        } finally {
            toClock.fixed.set(null);
        }
    }

    private int settings() {
        Optional<OperatorSettings> source = from.settings().load();
        if (source.isEmpty() || source.equals(to.settings().load())) {
            return 0;
        }
        to.settings().save(source.get());
        return 1;
    }

    /**
     * Writes the source items the target does not hold yet, counting duplicates (two identical entries in the source
     * are two entries in the target), in source order. @return how many were written
     */
    private <T> int missing(String kind, List<T> source, List<T> target, Function<T, Object> key,
                            Consumer<T> write) {
        progress.start(kind, source.size());
        Map<Object, Integer> held = new HashMap<>();
        for (T t : target) {
            held.merge(key.apply(t), 1, Integer::sum);
        }
        int written = 0;
        for (T s : source) {
            Object k = key.apply(s);
            Integer n = held.get(k);
            if (n != null && n > 0) {
                held.put(k, n - 1);
            } else {
                write.accept(s);
                written++;
            }
            progress.advance();
        }
        progress.finish();
        return written;
    }

    /** A database keeps microseconds: entries that differ only below them are the same entry. */
    private static Object auditKey(AuditLog.Entry e) {
        return List.of(e.at().truncatedTo(ChronoUnit.MICROS), e.platform(), e.userId(), e.command(), e.result());
    }

    private static Object usageKey(UsageRecord r) {
        return new UsageRecord(r.at().truncatedTo(ChronoUnit.MICROS), r.platform(), r.workspace(), r.channel(),
                r.user(), r.provider(), r.model(), r.inputTokens(), r.outputTokens(), r.costUsd());
    }
}

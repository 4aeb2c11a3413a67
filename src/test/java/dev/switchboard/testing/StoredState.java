package dev.switchboard.testing;

import dev.switchboard.conversation.AuditLog;
import dev.switchboard.conversation.ConversationExport;
import dev.switchboard.conversation.ConversationQuery;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.ConversationSummary;
import dev.switchboard.conversation.SettingsStore;
import dev.switchboard.conversation.UsageLedger;
import dev.switchboard.conversation.UsageRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything one backend holds, read through the store ports only, as one map that compares with {@code equals}:
 * every thread's export (taken at one fixed time, so two reads of the same state are equal), the operator settings,
 * the audit entries and the usage records, times to the microsecond a database keeps. For tests that copy state from
 * one backend to another. Stateless.
 */
public final class StoredState {

    private StoredState() {
    }

    /** @param platforms the platforms whose conversations to read */
    public static Map<String, Object> of(List<String> platforms, ConversationStore conversations,
                                         SettingsStore settings, AuditLog audit, UsageLedger usage) {
        Map<String, Object> all = new TreeMap<>();
        for (String platform : platforms) {
            for (ConversationSummary s : conversations.list(new ConversationQuery(platform, null, null, null, null))) {
                all.put(s.key().toString(), new String(ConversationExport.of(conversations.loadComplete(s.key())
                        .orElseThrow(), conversations.feedback(s.key()), sha -> conversations.blob(s.key(), sha),
                        Instant.EPOCH).toJson(), StandardCharsets.UTF_8));
            }
        }
        all.put("~settings", settings.load());
        all.put("~audit", audit.entries().stream().map(e -> new AuditLog.Entry(e.at().truncatedTo(ChronoUnit.MICROS),
                e.platform(), e.userId(), e.command(), e.result())).toList());
        all.put("~usage", usage.since(Instant.EPOCH).stream().map(r -> new UsageRecord(
                r.at().truncatedTo(ChronoUnit.MICROS), r.platform(), r.workspace(), r.channel(), r.user(),
                r.provider(), r.model(), r.inputTokens(), r.outputTokens(), r.costUsd()))
                // Records, not a log: the files keep them as the ledger's thread wrote them, which can differ from
                // their times by milliseconds; the database returns them by time.
                .sorted(java.util.Comparator.comparing(UsageRecord::at).thenComparing(UsageRecord::toString))
                .toList());
        return all;
    }
}

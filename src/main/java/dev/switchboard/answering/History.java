package dev.switchboard.answering;

import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.Turn;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reading a stored thread as a conversation: what has an answer, and the history a reply is given. Stateless. */
final class History {

    private History() {
    }

    /**
     * The turns to send for answering {@code messageId} in a stored thread: the thread's newest summary first, standing
     * in for the turns it covers (by their numbers: archived turns count, see {@code SummaryMeta}), then the turns
     * after it as {@link #upTo} orders them. A summary that would cover the message being answered is not used.
     */
    static List<Turn> forPrompt(Conversation conversation, String messageId) {
        List<Turn> stored = conversation.turns();
        Turn summary = newestSummary(stored);
        if (summary == null) {
            return upTo(stored, messageId);
        }
        int through = summary.summary().throughTurn();
        List<Turn> after = new ArrayList<>(stored.size());
        for (int i = 0; i < stored.size(); i++) {
            Turn t = stored.get(i);
            if (conversation.archivedTurns() + i + 1 > through) {
                after.add(t);
            } else if (t.messageIds().contains(messageId)) {
                return upTo(stored, messageId);
            }
        }
        List<Turn> turns = new ArrayList<>(after.size() + 1);
        turns.add(summary);
        turns.addAll(upTo(after, messageId));
        return turns;
    }

    /** The summary that covers the most turns (the latest written, on a tie), or null. */
    static Turn newestSummary(List<Turn> turns) {
        Turn newest = null;
        for (Turn t : turns) {
            if (t.role() == Role.SUMMARY
                    && (newest == null || t.summary().throughTurn() >= newest.summary().throughTurn())) {
                newest = t;
            }
        }
        return newest;
    }

    /**
     * The turns to send for answering {@code messageId}, summaries left out: in conversation order (each answer right after the message
     * it answers, whatever order they were stored in), up to and including that message.
     */
    static List<Turn> upTo(List<Turn> stored, String messageId) {
        List<Turn> sorted = new ArrayList<>(stored);
        sorted.removeIf(t -> t.role() == Role.SUMMARY);
        sorted.sort(Comparator.comparing(Turn::at)); // stable: equal times keep their stored order
        Map<String, List<Turn>> answers = answersByMessage(sorted);
        List<Turn> ordered = new ArrayList<>(sorted.size());
        Set<Turn> moved = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        answers.values().forEach(moved::addAll);
        for (Turn t : sorted) {
            if (moved.contains(t)) {
                continue;
            }
            ordered.add(t);
            if (t.role() == Role.USER) {
                if (t.messageIds().contains(messageId)) {
                    return ordered;
                }
                for (String id : t.messageIds()) {
                    ordered.addAll(answers.getOrDefault(id, List.of()));
                }
            }
        }
        return ordered;
    }

    /** The assistant turns that answer a stored user message, by that message's id, in order. */
    private static Map<String, List<Turn>> answersByMessage(List<Turn> sorted) {
        Set<String> userIds = new HashSet<>();
        for (Turn t : sorted) {
            if (t.role() == Role.USER) {
                userIds.addAll(t.messageIds());
            }
        }
        Map<String, List<Turn>> answers = new LinkedHashMap<>();
        // The tool calls stored right before an answer belong to it and move with it.
        List<Turn> tools = new ArrayList<>();
        for (Turn t : sorted) {
            if (t.role() == Role.TOOL) {
                tools.add(t);
                continue;
            }
            if (t.role() == Role.ASSISTANT && userIds.contains(t.assistant().replyTo())) {
                List<Turn> answer = answers.computeIfAbsent(t.assistant().replyTo(), id -> new ArrayList<>());
                answer.addAll(tools);
                answer.add(t);
            }
            tools.clear();
        }
        return answers;
    }
}

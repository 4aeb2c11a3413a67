package dev.switchboard.answering;

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
     * The turns to send for answering {@code messageId}: in conversation order (each answer right after the message
     * it answers, whatever order they were stored in), up to and including that message.
     */
    static List<Turn> upTo(List<Turn> stored, String messageId) {
        List<Turn> sorted = new ArrayList<>(stored);
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

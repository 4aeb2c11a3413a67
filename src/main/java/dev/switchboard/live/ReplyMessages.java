package dev.switchboard.live;

import java.util.ArrayList;
import java.util.List;

/**
 * What one reply's platform messages should show and what they show: the text so far, its tool lines, the final
 * text once the reply ended, and the messages written (their ids and shown text). Works out the next write that
 * brings the messages closer to the text. Not thread-safe: its {@link Live} guards it with the engine's lock.
 */
final class ReplyMessages {

    /** One platform operation: a new message, an edit of message {@code index}, or its deletion. */
    record Write(Spending.Op op, int index, String text) {
    }

    private final ReplySink sink;
    private final StringBuilder source = new StringBuilder();
    private final ToolLines toolLines = new ToolLines();
    private final List<String> ids = new ArrayList<>();
    private final List<String> shown = new ArrayList<>();
    private String finalDisplay;
    /** Messages before this one take no more edits. */
    private int frozen;
    /** How much of the display the frozen messages cover. */
    private int frozenUpTo;
    private int version;
    private int layoutVersion = -1;
    private List<String> layout;

    ReplyMessages(ReplySink sink) {
        this.sink = sink;
    }

    void append(String text) {
        toolLines.answerStreams();
        source.append(text);
        version++;
    }

    void toolStatus(dev.switchboard.routing.ToolStatus status) {
        toolLines.update(status);
        version++;
    }

    /** Another target answers from the start: the text so far is dropped. */
    void reset() {
        source.setLength(0);
        version++;
    }

    /** The reply ended: the messages are to show {@code display} exactly. */
    void end(String display) {
        finalDisplay = display;
        version++;
    }

    /** The answer's text so far, in the model's Markdown. */
    String source() {
        return source.toString();
    }

    boolean ended() {
        return finalDisplay != null;
    }

    /** How many messages the reply has written. */
    int count() {
        return ids.size();
    }

    List<String> ids() {
        return List.copyOf(ids);
    }

    String id(int index) {
        return ids.get(index);
    }

    /** The message most writes edit: the newest one still taking edits; null when a new one comes next. */
    String editedNext() {
        return ids.size() > frozen ? ids.getLast() : null;
    }

    /** The write that brings the messages closer to what they should show; null when they show it. */
    Write nextWrite() {
        List<String> want = desired();
        for (int j = 0; j < want.size(); j++) {
            int index = frozen + j;
            if (index >= ids.size()) {
                return new Write(Spending.Op.POST, index, want.get(j));
            }
            if (!shown.get(index).equals(want.get(j))) {
                return new Write(Spending.Op.EDIT, index, want.get(j));
            }
        }
        if (ids.size() > frozen + want.size() && finalDisplay != null) {
            return new Write(Spending.Op.DELETE, ids.size() - 1, "");
        }
        return null;
    }

    /** A write went through: the messages now show its text; {@code result} is a new message's id. */
    void shown(Write write, Object result) {
        switch (write.op()) {
            case POST -> {
                ids.add((String) result);
                shown.add(write.text());
            }
            case EDIT -> shown.set(write.index(), write.text());
            case DELETE -> {
                ids.remove(write.index());
                shown.remove(write.index());
            }
        }
    }

    /**
     * The message at {@code index} will not take edits: leave it, and continue after what it shows. It covers only
     * what it really shows of the reply (a placeholder covers nothing).
     */
    void freeze(int index) {
        String keep = shown.get(index);
        String display = sink.format(source.toString());
        int from = Math.min(frozenUpTo, display.length());
        String rest = display.substring(from);
        int skipped = rest.length() - rest.stripLeading().length();
        frozenUpTo = from + skipped + Splitter.commonPrefix(keep, rest.stripLeading());
        frozen = index + 1;
        version++;
    }

    /** What the messages should show right now, from the first one not frozen; worked out once per change. */
    private List<String> desired() {
        if (layoutVersion == version) {
            return layout;
        }
        layout = layoutNow();
        layoutVersion = version;
        return layout;
    }

    private List<String> layoutNow() {
        String display = finalDisplay != null ? finalDisplay
                : toolLines.showing() ? sink.format(toolLines.below(source.toString())) + sink.cursor()
                : source.isEmpty() ? sink.placeholder() : sink.format(source.toString()) + sink.cursor();
        String rest = frozenUpTo >= display.length() ? "" : display.substring(frozenUpTo).stripLeading();
        return rest.isEmpty() ? List.of() : Splitter.split(rest, sink.maxChars());
    }
}

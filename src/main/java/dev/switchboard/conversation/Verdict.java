package dev.switchboard.conversation;

import java.util.Locale;
import java.util.Optional;

/** What a person thought of an answer: 👍 or 👎. */
public enum Verdict {
    GOOD,
    BAD;

    /** The verdict's lower-case name, as metrics and the platforms' button values carry it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The verdict a label names ({@code good} or {@code bad}), or empty for anything else. */
    public static Optional<Verdict> ofLabel(String label) {
        if ("good".equals(label)) {
            return Optional.of(GOOD);
        }
        return "bad".equals(label) ? Optional.of(BAD) : Optional.empty();
    }
}

package dev.switchboard.answering;

import java.util.Objects;

/**
 * What an adapter adds to one answer beyond the thread's turns, read just before the answer starts: nothing, text
 * the model is given with the system prompt (a channel's recent messages to summarise), or one line shown instead of
 * an answer (the user may not read that channel).
 */
public sealed interface ThreadContext {

    /** Nothing to add. */
    ThreadContext NONE = new None();
    /** The conversation metadata note holding the id of the channel the user looks at beside the conversation. */
    String VIEWING_CHANNEL_NOTE = "viewing_channel";
    /** The conversation metadata note holding that channel's name, for {@code {viewing_channel}}. */
    String VIEWING_CHANNEL_NAME_NOTE = "viewing_channel_name";

    record None() implements ThreadContext {
    }

    /** Text given to the model after the system prompt; the platform's words, to be treated as data. */
    record Extra(String text) implements ThreadContext {
        public Extra {
            Objects.requireNonNull(text, "text");
        }
    }

    /** No answer: {@code line} is shown instead, and the model is not asked. */
    record Refuse(String line) implements ThreadContext {
        public Refuse {
            Objects.requireNonNull(line, "line");
        }
    }
}

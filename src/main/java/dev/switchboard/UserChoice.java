package dev.switchboard;

import dev.switchboard.answering.ReplyStarter;
import dev.switchboard.answering.ThreadModels;
import dev.switchboard.conversation.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the asking user's {@code /model} choice for a reply's thread. Stateless. */
final class UserChoice {

    private static final Logger log = LoggerFactory.getLogger(UserChoice.class);

    private UserChoice() {
    }

    /** The user's choice for the request's thread, or null: none, none looked up, or the store did not answer. */
    static String inThread(ThreadModels threads, ReplyStarter.AnswerRequest request) {
        if (threads == null || request.history().isEmpty()) {
            return null;
        }
        try {
            return threads.choice(request.key(), request.history().getLast().authorId()).orElse(null);
        } catch (StoreException | IllegalArgumentException e) {
            // The reply goes on by the route and the user's default.
            log.warn("the model choice in {} could not be read: {}", request.key(), e.getMessage());
            return null;
        }
    }
}

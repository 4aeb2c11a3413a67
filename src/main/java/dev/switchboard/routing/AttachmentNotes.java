package dev.switchboard.routing;

import dev.switchboard.conversation.Attachment;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.Turn;
import java.util.ArrayList;
import java.util.List;

/**
 * What an answer says about the files of the message it answers: one line for each file that was not read and why,
 * and for the images the answering model could not see. Stateless.
 */
final class AttachmentNotes {

    /** Why a target was passed over for a message with images. */
    static final String NO_VISION = "does not read images";

    private AttachmentNotes() {
    }

    /** The files of the message being answered: the last user turn's. */
    static List<Attachment> ofQuestion(List<Turn> history) {
        for (int i = history.size() - 1; i >= 0; i--) {
            if (history.get(i).role() == Role.USER) {
                return history.get(i).attachments();
            }
        }
        return List.of();
    }

    static boolean hasImages(List<Turn> history) {
        return ofQuestion(history).stream().anyMatch(a -> a.kind() == Attachment.Kind.IMAGE);
    }

    /** The answer with a line under it for each file it did not get; unchanged when it got them all. */
    static String under(String answer, List<Turn> history, boolean sawImages) {
        List<String> lines = new ArrayList<>();
        List<String> unseen = new ArrayList<>();
        for (Attachment file : ofQuestion(history)) {
            switch (file.kind()) {
                case SKIPPED, PENDING -> lines.add("_I could not read " + file.name() + ": "
                        + AttachmentContent.why(file) + "._");
                case IMAGE -> {
                    if (!sawImages) {
                        unseen.add(file.name());
                    }
                }
                default -> { }
            }
        }
        if (!unseen.isEmpty()) {
            lines.add("_I did not see " + String.join(", ", unseen) + ": no model on this route reads images._");
        }
        if (lines.isEmpty()) {
            return answer;
        }
        return (answer.isBlank() ? "" : answer + "\n\n") + String.join("\n", lines);
    }
}

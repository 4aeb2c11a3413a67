package dev.switchboard.answering;

import java.io.IOException;
import java.io.InputStream;

/**
 * A file that came with a message, as the platform announces it: adapters implement it over their own download
 * (Slack's {@code url_private} with the bot token, Discord's CDN, a local path in the shell). Nothing of it is read
 * before {@link #open}, which runs after the message is stored and acknowledged. What it declares is never trusted:
 * the bytes decide the kind, and reading stops at the size limit whatever the platform said.
 */
public interface IncomingFile {

    /** The name the platform gave it; shown, never used as a path. */
    String name();

    /** The media type the platform declared; may be empty. */
    String declaredType();

    /** The size the platform declared, or -1 when unknown. */
    long declaredSize();

    /**
     * Starts the download. The caller closes the stream.
     *
     * @throws Unavailable when the platform would not hand the file over, saying why in words for the user
     */
    InputStream open() throws IOException;

    /** The file cannot be had; the message is one clause for the user ("Slack refused the download"). */
    final class Unavailable extends IOException {
        public Unavailable(String why) {
            super(why);
        }
    }
}

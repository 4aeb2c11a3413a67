package dev.switchboard.adapter.discord;

import dev.switchboard.answering.IncomingFile;
import dev.switchboard.answering.PlatformDownload;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import net.dv8tion.jda.api.entities.Message;

/**
 * A Discord message's attachments as files for the use case: each downloaded, once the message is taken, from the
 * CDN URL the event carries, and only when that URL is on the configured CDN's host ({@code discord.cdn_url}); a
 * URL anywhere else (one from message text included) is never fetched. Thread-safe.
 */
final class DiscordFiles {

    private final URI cdn;
    private final PlatformDownload http;

    DiscordFiles(URI cdn) {
        this.cdn = Objects.requireNonNull(cdn, "cdn");
        this.http = new PlatformDownload(this::allowed, "it is not on Discord's file host");
    }

    List<IncomingFile> of(List<Message.Attachment> attachments) {
        return attachments.stream().map(a -> (IncomingFile) new Attached(a.getFileName(),
                a.getContentType() == null ? "" : a.getContentType(), a.getSize(), a.getUrl(), this)).toList();
    }

    /** Whether a URL is on the configured CDN: same scheme, host and port. */
    boolean allowed(URI url) {
        return url != null && url.getHost() != null && Objects.equals(url.getScheme(), cdn.getScheme())
                && url.getHost().toLowerCase(Locale.ROOT).equals(cdn.getHost().toLowerCase(Locale.ROOT))
                && url.getPort() == cdn.getPort();
    }

    private InputStream download(String url) throws IOException {
        return http.get(url, Map.of(), status -> "Discord answered the download with HTTP " + status).body();
    }

    /** One attachment as the event describes it. */
    private record Attached(String name, String declaredType, long declaredSize, String url, DiscordFiles files)
            implements IncomingFile {
        @Override
        public InputStream open() throws IOException {
            return files.download(url);
        }

        @Override
        public String toString() {
            return "a Discord attachment"; // nothing of a file goes to a log
        }
    }
}

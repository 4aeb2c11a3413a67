package dev.switchboard.adapter.discord;

import dev.switchboard.answering.IncomingFile;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
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
    private final HttpClient http;

    DiscordFiles(URI cdn) {
        this.cdn = Objects.requireNonNull(cdn, "cdn");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
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
        URI uri;
        try {
            uri = url == null ? null : URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (!allowed(uri)) {
            throw new IncomingFile.Unavailable("it is not on Discord's file host");
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IncomingFile.Unavailable("the download was interrupted");
        }
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IncomingFile.Unavailable("Discord answered the download with HTTP " + response.statusCode());
        }
        return response.body();
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

package dev.switchboard.adapter.slack;

import com.slack.api.model.File;
import dev.switchboard.answering.IncomingFile;
import dev.switchboard.answering.PlatformDownload;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;

/**
 * The files of a Slack message ({@code files} on mentions, thread messages and DMs) as files for the use case: each
 * downloaded from its {@code url_private} with the bot token (scope {@code files:read}) once the message is taken,
 * and only from Slack's own file host or the configured API base's host; a URL anywhere else is never fetched.
 * Thread-safe.
 */
final class SlackFiles {

    /** Where Slack serves files. */
    static final String FILE_HOST = "files.slack.com";

    private final URI apiUrl;
    private final String botToken;
    private final PlatformDownload http;

    SlackFiles(URI apiUrl, String botToken) {
        this.apiUrl = Objects.requireNonNull(apiUrl, "apiUrl");
        this.botToken = Objects.requireNonNull(botToken, "botToken");
        this.http = new PlatformDownload(this::allowed, "Slack gave no download address on its own file host");
    }

    /** The message's files; null or none gives an empty list. */
    List<IncomingFile> of(List<File> files) {
        if (files == null) {
            return List.of();
        }
        return files.stream().filter(Objects::nonNull).map(f -> (IncomingFile) new Shared(f, this)).toList();
    }

    /** Whether a URL is on Slack's file host or the configured API base's host (same scheme and port). */
    boolean allowed(URI url) {
        if (url == null || url.getHost() == null) {
            return false;
        }
        String host = url.getHost().toLowerCase(Locale.ROOT);
        if ("https".equals(url.getScheme()) && host.equals(FILE_HOST) && url.getPort() == -1) {
            return true;
        }
        return Objects.equals(url.getScheme(), apiUrl.getScheme())
                && host.equals(apiUrl.getHost().toLowerCase(Locale.ROOT)) && url.getPort() == apiUrl.getPort();
    }

    private InputStream download(String url, String declaredType) throws IOException {
        HttpResponse<InputStream> response = http.get(url, Map.of("Authorization", "Bearer " + botToken),
                status -> status == 401 || status == 403
                        ? "Slack refused the download (is the files:read scope granted?)"
                        : "Slack answered the download with HTTP " + status);
        // Without files:read, Slack answers with its sign-in page instead of the file.
        String type = response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (type.startsWith("text/html") && !declaredType.toLowerCase(Locale.ROOT).contains("html")) {
            response.body().close();
            throw new IncomingFile.Unavailable("Slack sent a web page instead of the file (is the files:read scope"
                    + " granted?)");
        }
        return response.body();
    }

    /** One file of a message, as Slack describes it. */
    private record Shared(File file, SlackFiles files) implements IncomingFile {
        @Override
        public String name() {
            String name = file.getName() != null ? file.getName() : file.getTitle();
            return name == null ? "" : name;
        }

        @Override
        public String declaredType() {
            return file.getMimetype() == null ? "" : file.getMimetype();
        }

        @Override
        public long declaredSize() {
            return file.getSize() == null ? -1 : file.getSize();
        }

        @Override
        public InputStream open() throws IOException {
            String url = file.getUrlPrivateDownload() != null ? file.getUrlPrivateDownload() : file.getUrlPrivate();
            return files.download(url, declaredType());
        }

        @Override
        public String toString() {
            return "a Slack file"; // nothing of a file goes to a log
        }
    }
}

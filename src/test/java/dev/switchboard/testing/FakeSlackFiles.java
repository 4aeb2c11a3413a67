package dev.switchboard.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Files people share with a message in {@link FakeSlack}: the {@code files} array of the message and
 * {@code app_mention} events (as Slack shows a {@code file_share}), and their download from {@code url_private},
 * which answers 401 {@code not_authed} without the bot token. A file's bytes may be made as they are sent, so a
 * large one is never held in memory; its declared {@code size} may lie. Thread-safe.
 */
public final class FakeSlackFiles {

    /**
     * One shared file.
     *
     * @param name its name
     * @param mimetype what Slack says it is
     * @param size the size Slack declares (may differ from the bytes served)
     * @param content makes the bytes, each download afresh
     */
    public record Shared(String name, String mimetype, long size, Supplier<InputStream> content) {

        public static Shared of(String name, String mimetype, byte[] bytes) {
            byte[] copy = bytes.clone();
            return new Shared(name, mimetype, copy.length, () -> new ByteArrayInputStream(copy));
        }

        /** {@code actual} bytes of zeros, made as they are sent, declared as {@code declared} bytes. */
        public static Shared generated(String name, String mimetype, long actual, long declared) {
            return new Shared(name, mimetype, declared, () -> new ZeroStream(actual));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Shared> byId = new LinkedHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    /** The file objects of a message, registering each file for download under {@code baseUrl}. */
    synchronized ArrayNode json(List<Shared> files, String baseUrl, String team, String user) {
        ArrayNode out = JSON.createArrayNode();
        for (Shared f : files) {
            String id = "F" + String.format("%09d", ids.incrementAndGet()) + "U";
            byId.put(id, f);
            String name = URLEncoder.encode(f.name(), StandardCharsets.UTF_8).replace("+", "%20");
            ObjectNode o = out.addObject();
            o.put("id", id);
            o.put("name", f.name());
            o.put("title", f.name());
            o.put("mimetype", f.mimetype());
            o.put("filetype", f.name().contains(".") ? f.name().substring(f.name().lastIndexOf('.') + 1) : "binary");
            o.put("user", user);
            o.put("user_team", team);
            o.put("size", f.size());
            o.put("mode", "hosted");
            o.put("is_external", false);
            o.put("url_private", baseUrl + team + "-" + id + "/" + name);
            o.put("url_private_download", baseUrl + team + "-" + id + "/download/" + name);
        }
        return out;
    }

    /** Serves a download: the bot token or 401. */
    void download(Context ctx, String team, String botToken) {
        String key = ctx.pathParam("file");
        Shared f;
        synchronized (this) {
            f = key.startsWith(team + "-") ? byId.get(key.substring(team.length() + 1)) : null;
        }
        if (f == null) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("file not found");
            return;
        }
        String auth = ctx.header("Authorization");
        if (auth == null || !auth.equals("Bearer " + botToken)) {
            refused.incrementAndGet();
            ctx.status(401).contentType("text/plain; charset=utf-8").result("not_authed");
            return;
        }
        served.incrementAndGet();
        ctx.status(200).contentType(f.mimetype()).result(f.content().get());
    }

    /** Downloads served with the token. */
    public int served() {
        return served.get();
    }

    /** Downloads refused for want of the token. */
    public int refused() {
        return refused.get();
    }

    /** A stream of zeros of a given length: a large file that is never in memory. */
    private static final class ZeroStream extends InputStream {
        private long left;

        ZeroStream(long length) {
            this.left = length;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}

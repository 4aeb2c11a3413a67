package dev.switchboard.adapter.discord;

import java.io.IOException;
import java.net.URI;
import net.dv8tion.jda.api.JDAInfo;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Asks Discord who the bot is ({@code GET users/@me}) before shards are opened at runtime: JDA's shard manager opens
 * those on its queue worker, which retries a refused login at once and without end, where a check here fails the
 * start with a clear error. The token is sent as a header only and appears in no message.
 */
final class DiscordLogin {

    private DiscordLogin() {
    }

    /** @throws IllegalStateException when Discord refuses the token or cannot be reached */
    static void check(OkHttpClient http, URI restUrl, String token) {
        String base = restUrl.toString().endsWith("/") ? restUrl.toString() : restUrl + "/";
        Request request = new Request.Builder().url(base + "users/@me").header("Authorization", "Bot " + token)
                .header("User-Agent", "DiscordBot (" + JDAInfo.GITHUB + ", " + JDAInfo.VERSION + ")").get().build();
        try (Response response = http.newCall(request).execute()) {
            if (response.code() == 401) {
                throw new IllegalStateException("401 Unauthorized: Discord refused the token");
            }
            if (!response.isSuccessful()) {
                throw new IllegalStateException("HTTP " + response.code() + " from " + base + "users/@me");
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not reach " + base + " (" + e.getMessage() + ")", e);
        }
    }
}

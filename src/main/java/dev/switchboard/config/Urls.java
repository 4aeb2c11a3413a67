package dev.switchboard.config;

import java.net.URI;

/** URLs from the config as they may be shown. Stateless and thread-safe. */
public final class Urls {

    private Urls() {
    }

    /** A URL as it may be logged or printed: no user info, no query (either can carry a key). */
    public static String withoutCredentials(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "")
                + (url.getPath() == null ? "" : url.getPath());
    }
}

package dev.switchboard.archfixture.adapter.chat;

/** Fixture: an adapter class, for proving that the architecture rule catches a core that imports it. */
public final class ChatAdapter {
    public static String name() {
        return "chat";
    }
}

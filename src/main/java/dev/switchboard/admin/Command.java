package dev.switchboard.admin;

import dev.switchboard.conversation.ConversationKey;
import java.time.Duration;
import java.util.Objects;

/** One operator command, parsed and checked; {@link CommandParser} makes them, {@link Commands} runs them. */
sealed interface Command {

    /** Providers, adapters, store and replies in progress; the model pinned where the command was given. */
    record ShowStatus(ConversationKey here) implements Command {
        public ShowStatus {
            Objects.requireNonNull(here, "here");
        }
    }

    /** Takes a provider out of rotation ({@code on} false) or puts it back. */
    record SwitchProvider(String provider, boolean on) implements Command {
        public SwitchProvider {
            requireWord(provider, "provider");
        }
    }

    /**
     * Answers first with a model in a channel.
     *
     * @param model {@code provider/model}, or null to let the route decide again
     */
    record PinModel(ConversationKey here, ConversationKey where, String model) implements Command {
        public PinModel {
            requirePlaces(here, where);
            if (model != null) {
                requireWord(model, "model");
            }
        }
    }

    /**
     * Answers in a channel with a route from the config.
     *
     * @param route the route's name, or null to let the config decide again
     */
    record ChooseRoute(ConversationKey here, ConversationKey where, String route) implements Command {
        public ChooseRoute {
            requirePlaces(here, where);
            if (route != null) {
                requireWord(route, "route");
            }
        }
    }

    /**
     * The system prompt in a channel.
     *
     * @param prompt the prompt, or null for the route's own again
     */
    record SetPrompt(ConversationKey here, ConversationKey where, String prompt) implements Command {
        public SetPrompt {
            requirePlaces(here, where);
            if (prompt != null && prompt.isBlank()) {
                throw new IllegalArgumentException("a prompt needs some text");
            }
        }
    }

    /** Deletes a thread's stored history. */
    record Forget(ConversationKey thread) implements Command {
        public Forget {
            Objects.requireNonNull(thread, "thread");
        }
    }

    /** A thread's stored history as a JSON file. */
    record Export(ConversationKey thread) implements Command {
        public Export {
            Objects.requireNonNull(thread, "thread");
        }
    }

    /**
     * Tokens and cost over a window.
     *
     * @param window as the operator wrote it, e.g. {@code 24h}
     * @param span the window's length
     */
    record ShowUsage(String window, Duration span) implements Command {
        public ShowUsage {
            requireWord(window, "window");
            Objects.requireNonNull(span, "span");
        }
    }

    /** Deletes everything stored from a user on a platform. */
    record ForgetUser(String platform, String user) implements Command {
        public ForgetUser {
            requireWord(platform, "platform");
            requireWord(user, "user");
        }
    }

    /** Re-reads the config. */
    record Reload() implements Command { }

    /** The MCP servers, their connection state, tools, calls, failures and times. */
    record ShowTools() implements Command { }

    /**
     * A line that is no command: the answer says how to write it.
     *
     * @param reply the usage line or the reason
     */
    record Invalid(String reply) implements Command {
        public Invalid {
            requireWord(reply, "reply");
        }
    }

    private static void requireWord(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
    }

    private static void requirePlaces(ConversationKey here, ConversationKey where) {
        Objects.requireNonNull(here, "here");
        Objects.requireNonNull(where, "where");
    }
}

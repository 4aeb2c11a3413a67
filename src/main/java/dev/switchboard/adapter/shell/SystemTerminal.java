package dev.switchboard.adapter.shell;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/** This process's own terminal, for the shell. Stateless and thread-safe. */
public final class SystemTerminal {

    private SystemTerminal() {
    }

    /**
     * Opens this process's terminal (a dumb one when stdin is a pipe), UTF-8 whatever the locale: a POSIX locale's
     * ASCII would turn every non-ASCII character typed or shown into "?".
     */
    public static Terminal open() throws IOException {
        return TerminalBuilder.builder().system(true).name("switchboard").encoding(StandardCharsets.UTF_8).build();
    }

    /** Whether a person sits at this terminal: stdin and stdout are a terminal, not a pipe or a file. */
    public static boolean interactive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // Java 22+: a console exists even when redirected; isTerminal() tells the difference.
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // Java 21: a console exists only for a terminal
        }
    }
}

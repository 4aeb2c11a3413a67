package dev.switchboard;

import dev.switchboard.adapter.shell.SystemTerminal;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.logging.LogSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code switchboard store …}: work on the stored state itself, with the service stopped. */
@Command(name = "store", mixinStandardHelpOptions = true, description = "Work on the stored state.",
        subcommands = StoreCommand.Copy.class)
final class StoreCommand {

    @CommandLine.ParentCommand
    Switchboard parent;

    /** {@code switchboard store copy --to postgres|files}: the configured backend's state into the other one. */
    @Command(name = "copy", mixinStandardHelpOptions = true,
            description = "Copy everything from the configured backend (storage.backend) to the other one; only what"
                    + " the target lacks is copied, so it can be run again or after an interruption. The source is"
                    + " only read.")
    static final class Copy implements Callable<Integer> {

        @CommandLine.ParentCommand
        StoreCommand store;

        @CommandLine.Option(names = "--to", required = true, paramLabel = "BACKEND",
                description = "postgres or files: where to copy to; the other one of storage.backend.")
        String to;

        @Override
        public Integer call() {
            Switchboard cli = store.parent;
            ConfigLoader.Loaded loaded;
            try {
                loaded = cli.load();
            } catch (ConfigException e) {
                cli.err.println(e.getMessage());
                return Switchboard.EXIT_CONFIG;
            }
            SwitchboardConfig.Storage storage = loaded.config().storage();
            SwitchboardConfig.Backend target;
            try {
                target = SwitchboardConfig.Backend.valueOf(to.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                cli.err.println("switchboard store copy: --to must be postgres or files, not \"" + to + "\"");
                return Switchboard.EXIT_CONFIG;
            }
            if (target == storage.backend()) {
                cli.err.println("switchboard store copy: storage.backend is already " + to + "; the copy goes from"
                        + " the configured backend to the other one");
                return Switchboard.EXIT_CONFIG;
            }
            LogSetup.apply("text", "ERROR", loaded.secretValues(), true);
            Clock clock = Clock.systemUTC();
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            StoreCopy.TargetClock toClock = new StoreCopy.TargetClock();
            try (Stores from = Stores.open(storage, clock, meters);
                 Stores into = Stores.open(storage, target, toClock, meters)) {
                cli.out.println("copying " + describe(storage, storage.backend()) + " to "
                        + describe(storage, target));
                StoreCopy.Counts counts = new StoreCopy(from, into, toClock,
                        new CopyProgress(cli.out, SystemTerminal.interactive(), clock)).run();
                cli.out.println(counts.describe());
                return counts.skipped() == 0 ? Switchboard.EXIT_OK : Switchboard.EXIT_FAILED;
            } catch (IllegalStateException | StoreException e) {
                cli.err.println("switchboard store copy: " + e.getMessage());
                return Switchboard.EXIT_FAILED;
            }
        }

        private static String describe(SwitchboardConfig.Storage storage, SwitchboardConfig.Backend backend) {
            return backend == SwitchboardConfig.Backend.FILES ? "files in " + storage.path()
                    : "postgres at " + storage.postgres().url().replaceFirst("\\?.*", "");
        }
    }
}

package dev.switchboard.admin;

import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationExport;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.UsageLedger;
import dev.switchboard.ops.Status;
import dev.switchboard.routing.Router;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/** Runs operator commands against the router, the store and the usage ledger; saves changed settings. Thread-safe. */
final class Commands {

    /** Attachments above this are refused: Discord's limit for bots is 10 MiB, leave room for the envelope. */
    static final int MAX_EXPORT_BYTES = 8 * 1024 * 1024;

    private final Router router;
    private final ConversationStore store;
    private final Settings settings;
    private final UsageLedger usage;
    private final Clock clock;
    private final Supplier<Status> status;
    private volatile Admin.Reload reload = () -> "reload is not available: this service was not started from a"
            + " config file.";

    Commands(Router router, ConversationStore store, Settings settings, UsageLedger usage, Clock clock,
             Supplier<Status> status) {
        this.router = router;
        this.store = store;
        this.settings = settings;
        this.usage = usage;
        this.clock = clock;
        this.status = status;
    }

    private volatile Supplier<String> tools = () -> "No tools are configured (tools.servers).";

    void toolsWith(Supplier<String> report) {
        this.tools = report;
    }

    void reloadWith(Admin.Reload how) {
        this.reload = how;
    }

    Outcome run(Command command) {
        return switch (command) {
            case Command.ShowStatus s -> new Outcome.StatusReport(status.get(),
                    router.pinnedModel(s.here()).orElse(null));
            case Command.SwitchProvider p -> switchProvider(p);
            case Command.PinModel m -> {
                String problem = settings.change(router, () -> router.pinModel(m.where(), m.model()));
                yield saved(problem, new Outcome.ModelPinned(m.here(), m.where(), m.model()));
            }
            case Command.ChooseRoute r -> {
                String problem = settings.change(router, () -> router.chooseRoute(r.where(), r.route()));
                yield saved(problem, new Outcome.RouteChosen(r.here(), r.where(), r.route()));
            }
            case Command.SetPrompt p -> {
                settings.change(router, () -> {
                    router.choosePrompt(p.where(), p.prompt());
                    return null;
                });
                yield saved(null, new Outcome.PromptSet(p.here(), p.where(), p.prompt() == null));
            }
            case Command.Forget f -> new Outcome.Forgotten(f.thread(), store.forget(f.thread()));
            case Command.Export e -> export(e.thread());
            case Command.ShowUsage u -> {
                Instant since = clock.instant().minus(u.span());
                yield new Outcome.UsageReport(u.window(),
                        usage.totals(since, UsageLedger.By.PROVIDER),
                        usage.totals(since, UsageLedger.By.CHANNEL),
                        usage.totals(since, UsageLedger.By.USER), store.feedbackTally(since));
            }
            case Command.ForgetUser f -> new Outcome.UserForgotten(f.user(),
                    store.forgetUser(f.platform(), f.user()), usage.forgetUser(f.platform(), f.user()));
            case Command.Reload r -> new Outcome.Said(reload.reload());
            case Command.ShowTools t -> new Outcome.Said(tools.get());
            case Command.Invalid i -> new Outcome.Said(i.reply());
        };
    }

    private Outcome switchProvider(Command.SwitchProvider p) {
        if (!settings.change(router, () -> router.setProviderEnabled(p.provider(), p.on()))) {
            return new Outcome.NoSuchProvider(p.provider());
        }
        return new Outcome.ProviderSwitched(p.provider(), p.on());
    }

    /** What a change saved through the settings comes to: done, or refused (and nothing saved). */
    private static Outcome saved(String problem, Outcome done) {
        return problem != null ? new Outcome.NotChanged(problem) : done;
    }

    /** The whole stored thread, archived turns included, as indented JSON. */
    private Outcome export(ConversationKey where) {
        Optional<Conversation> found = store.loadComplete(where);
        if (found.isEmpty()) {
            return new Outcome.NothingToExport(where);
        }
        Conversation c = found.get();
        byte[] json = ConversationExport.of(c, store.feedback(where), sha -> store.blob(where, sha), clock.instant())
                .toJson();
        return json.length > MAX_EXPORT_BYTES ? new Outcome.ExportTooLarge(where, json.length)
                : new Outcome.Exported(where, c.turns().size(), json);
    }

}

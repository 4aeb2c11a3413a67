package dev.switchboard.adapter.shell;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.config.Urls;
import dev.switchboard.routing.ServedModels;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Function;

/**
 * The part of {@code switchboard check} that lists the models each active provider serves (its models endpoint) and
 * marks the configured models it does not list. Stateless.
 */
final class ModelListing {

    private ModelListing() {
    }

    /**
     * Prints one line per provider with the models it serves, one {@code NOT SERVED} line per configured model it does
     * not list, and one {@code FAILED} line per provider whose list could not be had.
     *
     * @param describe how a failure is worded for the operator
     * @return whether every provider answered and serves every configured model
     */
    static boolean print(List<ServedModels> lists, SwitchboardConfig config, int width, PrintWriter out,
                         Function<dev.switchboard.routing.Failure, String> describe) {
        boolean allOk = true;
        for (ServedModels list : lists) {
            if (list.failure() != null) {
                allOk = false;
                String where = Urls.withoutCredentials(config.providers().get(list.provider()).baseUrl());
                out.println(pad(list.provider() + " models", width) + "FAILED   could not list its models: "
                        + describe.apply(list.failure()) + " at " + where);
                continue;
            }
            out.println(pad(list.provider() + " models", width) + "serves   " + list.served().size()
                    + (list.served().isEmpty() ? "" : ": " + String.join(", ", list.served())));
            for (String model : list.missing()) {
                allOk = false;
                out.println(pad(list.provider() + "/" + model, width) + "NOT SERVED  configured, but not in "
                        + list.provider() + "'s model list: pick a current model from the list above");
            }
        }
        return allOk;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }
}

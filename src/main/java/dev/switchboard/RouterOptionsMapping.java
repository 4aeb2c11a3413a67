package dev.switchboard;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.routing.RouterOptions;
import dev.switchboard.routing.Target;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the router's options from the config: the one place that knows both. Stateless. */
public final class RouterOptionsMapping {

    private RouterOptionsMapping() {
    }

    public static RouterOptions of(SwitchboardConfig config) {
        Map<String, RouterOptions.Provider> providers = new LinkedHashMap<>();
        config.providers().forEach((name, p) -> providers.put(name, provider(p)));
        SwitchboardConfig.Routing r = config.routing();
        Map<String, RouterOptions.Route> routes = new LinkedHashMap<>();
        r.routes().forEach((name, route) -> routes.put(name, new RouterOptions.Route(route.targets().stream()
                .map(t -> new Target(t.provider(), t.model(), t.priority(), t.weight())).toList(),
                route.systemPrompt())));
        return new RouterOptions(providers, r.defaultRoute(), routes, r.overrides().stream()
                .map(o -> new RouterOptions.Override(o.platform(), o.workspace(), o.channel(), o.route(),
                        o.systemPrompt())).toList(),
                r.onContentFilter() == SwitchboardConfig.ContentFilterAction.STOP, r.midStreamFallback(),
                targets(r.userModels()), targets(r.compareModels()));
    }

    private static java.util.List<Target> targets(java.util.List<SwitchboardConfig.Target> targets) {
        return targets.stream().map(t -> new Target(t.provider(), t.model(), -1, 1)).toList();
    }

    private static RouterOptions.Provider provider(SwitchboardConfig.Provider p) {
        Map<String, RouterOptions.Price> prices = new LinkedHashMap<>();
        p.prices().forEach((model, price) -> prices.put(model, new RouterOptions.Price(price.input(), price.output())));
        return new RouterOptions.Provider(RouterOptions.Api.valueOf(p.type().name()), p.active(), p.baseUrl(),
                new RouterOptions.ApiKey(p.apiKey().isPresent() ? p.apiKey().reveal() : ""), p.models(),
                p.contextWindows(), prices, new RouterOptions.Deadlines(p.connectTimeout(), p.firstTokenTimeout(),
                p.idleTimeout(), p.totalTimeout()), p.maxConcurrentStreams(),
                new RouterOptions.Retry(p.retry().maxAttempts(), p.retry().initialDelay(), p.retry().maxDelay()),
                new RouterOptions.Breaker(p.breaker().failureRate(), p.breaker().minimumCalls(), p.breaker().window(),
                        p.breaker().openFor()), capabilities(p));
    }

    private static Map<String, RouterOptions.Capability> capabilities(SwitchboardConfig.Provider p) {
        Map<String, RouterOptions.Capability> out = new LinkedHashMap<>();
        p.capabilities().forEach((model, c) -> out.put(model,
                new RouterOptions.Capability(c.vision(), c.documents(), c.maxImageEdge())));
        return out;
    }
}

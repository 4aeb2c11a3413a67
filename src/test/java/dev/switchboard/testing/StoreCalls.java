package dev.switchboard.testing;

import dev.switchboard.conversation.ConversationStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/** A conversation store seen through a test's hands: each call passes through {@link Around} on its way in. */
public final class StoreCalls {

    private StoreCalls() {
    }

    /** What a test does with one call: look at it, fail it, or {@link Call#proceed()} to the store and return that. */
    @FunctionalInterface
    public interface Around {
        Object call(Method method, Object[] args, Call store) throws Throwable;
    }

    /** The call itself, made on the store; the store's own exceptions come out as they are. */
    @FunctionalInterface
    public interface Call {
        Object proceed() throws Throwable;
    }

    public static ConversationStore around(ConversationStore store, Around around) {
        return (ConversationStore) Proxy.newProxyInstance(StoreCalls.class.getClassLoader(),
                new Class<?>[] {ConversationStore.class}, (proxy, method, args) -> around.call(method, args, () -> {
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
    }
}

package dev.switchboard.testing;

import dev.switchboard.routing.Failure;
import dev.switchboard.routing.ReplyListener;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.Target;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ReplyListener} that keeps what a user would see: the text after resets, every event in order, and fails
 * loudly if anything arrives after the outcome or the outcome arrives twice.
 */
public final class RecordingListener implements ReplyListener {

    private final StringBuilder visible = new StringBuilder();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final CompletableFuture<ReplyOutcome> outcome = new CompletableFuture<>();
    private final AtomicInteger dones = new AtomicInteger();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicBoolean inCall = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public void onAttempt(Target target, int attempt) {
        enter("attempt");
        events.add("attempt " + target.id() + " #" + attempt);
        leave();
    }

    @Override
    public void onToken(String text) {
        enter("token");
        synchronized (visible) {
            visible.append(text);
        }
        leave();
    }

    @Override
    public void onReset(Target failed, Failure why, Target next) {
        enter("reset");
        events.add("reset " + failed.id() + " " + why.label() + " -> " + next.id());
        synchronized (visible) {
            visible.setLength(0);
        }
        leave();
    }

    @Override
    public void onDone(ReplyOutcome result) {
        enter("done");
        if (dones.incrementAndGet() > 1) {
            violations.add("onDone called twice");
        }
        events.add("done " + result.getClass().getSimpleName());
        leave();
        outcome.complete(result);
    }

    /** Calls must never overlap: the router promises one at a time per reply. */
    private void enter(String what) {
        if (!inCall.compareAndSet(false, true)) {
            violations.add(what + " overlapped another call");
        }
        if (!what.equals("done")) {
            check(what);
        }
    }

    private void leave() {
        inCall.set(false);
    }

    private void check(String what) {
        if (dones.get() > 0) {
            violations.add(what + " after onDone");
        }
    }

    public ReplyOutcome await() {
        try {
            return outcome.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no outcome within 30 s; events so far: " + events, e);
        }
    }

    public String visibleText() {
        synchronized (visible) {
            return visible.toString();
        }
    }

    public List<String> events() {
        return List.copyOf(events);
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }
}

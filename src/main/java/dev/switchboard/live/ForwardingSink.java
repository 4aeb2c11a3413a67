package dev.switchboard.live;

import java.util.concurrent.CompletionStage;

/** A sink that passes everything to another; subclasses change what they need (e.g. act on the first post). */
public abstract class ForwardingSink implements ReplySink {

    private final ReplySink inner;

    protected ForwardingSink(ReplySink inner) {
        this.inner = inner;
    }

    @Override
    public CompletionStage<String> post(String text) {
        return inner.post(text);
    }

    @Override
    public CompletionStage<Void> edit(String messageId, String text) {
        return inner.edit(messageId, text);
    }

    @Override
    public CompletionStage<Void> delete(String messageId) {
        return inner.delete(messageId);
    }

    @Override
    public int maxChars() {
        return inner.maxChars();
    }

    @Override
    public String format(String markdown) {
        return inner.format(markdown);
    }

    @Override
    public String placeholder() {
        return inner.placeholder();
    }

    @Override
    public String cursor() {
        return inner.cursor();
    }

    @Override
    public boolean showsToolStatus(dev.switchboard.routing.ToolStatus status) {
        return inner.showsToolStatus(status);
    }

    @Override
    public java.util.concurrent.CompletableFuture<Boolean> askApproval(dev.switchboard.routing.ToolStatus call) {
        return inner.askApproval(call);
    }
}

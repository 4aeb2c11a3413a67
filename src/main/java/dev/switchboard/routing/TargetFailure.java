package dev.switchboard.routing;

/** A target that did not answer, and why. */
public record TargetFailure(Target target, Failure failure) {

    @Override
    public String toString() {
        return target.id() + ": " + failure.label();
    }
}

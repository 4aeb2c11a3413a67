package dev.switchboard.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;

/** {@code %masked(...)} in a text pattern: the wrapped output with secrets removed. */
public final class MaskingConverter extends CompositeConverter<ILoggingEvent> {

    @Override
    protected String transform(ILoggingEvent event, String in) {
        return SecretMasker.mask(in);
    }
}

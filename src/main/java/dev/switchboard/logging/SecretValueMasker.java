package dev.switchboard.logging;

import com.fasterxml.jackson.core.JsonStreamContext;
import net.logstash.logback.mask.ValueMasker;

/** Masks secrets in every string field of a JSON log line (message, arguments, MDC, stack trace). */
public final class SecretValueMasker implements ValueMasker {

    @Override
    public Object mask(JsonStreamContext context, Object value) {
        if (value instanceof CharSequence text) {
            String in = text.toString();
            String out = SecretMasker.mask(in);
            return out.equals(in) ? null : out;
        }
        return null;
    }
}

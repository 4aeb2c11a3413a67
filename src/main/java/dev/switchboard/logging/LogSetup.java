package dev.switchboard.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Set;
import org.slf4j.LoggerFactory;

/** Applies the configured log format and level once the config is known, and registers secrets for masking. */
public final class LogSetup {

    static final String FORMAT_PROPERTY = "switchboard.log.format";
    static final String LEVEL_PROPERTY = "switchboard.log.level";

    private LogSetup() {
    }

    /**
     * Reconfigures Logback from {@code logback.xml} with the given format ({@code json} or {@code text}) and level.
     * Lines logged before this call used the format from the environment ({@code SWITCHBOARD_LOG_FORMAT}).
     */
    public static void apply(String format, String level, Set<String> secrets) {
        apply(format, level, secrets, false);
    }

    /** As {@link #apply(String, String, Set)}; {@code toStderr} keeps stdout for a command's own output. */
    public static void apply(String format, String level, Set<String> secrets, boolean toStderr) {
        SecretMasker.register(secrets);
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        URL xml = LogSetup.class.getResource("/logback.xml");
        context.reset();
        context.putProperty(FORMAT_PROPERTY, format);
        context.putProperty(LEVEL_PROPERTY, level);
        context.putProperty("switchboard.log.target", toStderr ? "System.err" : "System.out");
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(xml);
        } catch (JoranException e) {
            throw new IllegalStateException("the bundled logback.xml is broken", e);
        }
    }

    /**
     * Writes out what the asynchronous appenders still hold and stops logging: the last lines before the process
     * exits (such as "stopped") would otherwise be lost with the queue.
     */
    public static void flush() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.stop();
        }
    }
}

package dev.switchboard;

import dev.switchboard.adapter.shell.SystemTerminal;
import dev.switchboard.logging.LogSetup;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started service until it stops: as a service, until SIGTERM (the {@code stop} latch) or the JVM's shutdown; or
 * with the shell on this process's terminal, until the user leaves. Either way it is closed exactly once, with a log
 * line when the stop begins and one when it is done. One run per instance.
 */
final class ServiceRun {

    private static final Logger log = LoggerFactory.getLogger(ServiceRun.class);

    private final Service service;
    private final Duration drain;
    private final CountDownLatch stop;

    ServiceRun(Service service, Duration drain, CountDownLatch stop) {
        this.service = service;
        this.drain = drain;
        this.stop = stop;
    }

    /** Blocks until SIGTERM or the JVM's shutdown, then stops the service. @return the exit code, 0 */
    int untilStopped() {
        Thread hook = new Thread(() -> {
            close("the JVM is shutting down");
            LogSetup.flush();
            stop.countDown();
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return Switchboard.EXIT_OK; // the hook is closing the service
        }
        close("SIGTERM");
        return Switchboard.EXIT_OK;
    }

    /** Closes the service with a log line before and after, so an operator sees the stop begin and end. */
    private void close(String why) {
        log.info("stopping ({}): intake stops, replies in progress get up to {} to finish", why,
                drain.toMillis() % 1000 == 0 ? drain.toSeconds() + " s" : drain.toMillis() + " ms");
        service.close();
        log.info("stopped");
    }

    /** Runs the shell adapter on this process's terminal until the user leaves, then stops the service. */
    int inShell(PrintWriter err) {
        Thread hook = new Thread(service::close, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // SIGTERM while the shell waits for a line: stop the service the same way, then leave.
        Thread onStop = Thread.ofVirtual().start(() -> {
            try {
                stop.await();
                service.close();
                System.exit(Switchboard.EXIT_OK);
            } catch (InterruptedException leftNormally) {
                Thread.currentThread().interrupt();
            }
        });
        try (org.jline.terminal.Terminal terminal = SystemTerminal.open()) {
            return service.shell(terminal).run();
        } catch (IOException e) {
            err.println("switchboard: the terminal could not be opened: " + e.getMessage());
            return Switchboard.EXIT_FAILED;
        } finally {
            onStop.interrupt();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
                service.close();
            } catch (IllegalStateException shuttingDown) {
                // the hook is closing the service
            }
        }
    }
}

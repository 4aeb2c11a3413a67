package dev.switchboard.routing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.SocketFactory;

/**
 * Sockets whose connect timeout is kept by closing the socket when it runs out, not by the JDK's timed connect.
 *
 * <p>A timed connect leaves a JDK socket in non-blocking mode for good. Every read on a platform thread then takes
 * three system calls: a read that finds nothing, a {@code poll} that waits, and the read again. A streamed answer is
 * read a chunk at a time, one token per chunk, so that was three calls a token. These sockets connect in blocking
 * mode and stay in it, and a read is one call that waits in the kernel. A read with a timeout still switches a socket
 * to non-blocking mode (OkHttp's health check of a connection idle for 10 s does one); under load connections are
 * reused sooner than that. Thread-safe.
 */
final class BlockingSockets extends SocketFactory {

    private final ScheduledExecutorService deadlines;

    /** @param deadlines where each connect's deadline waits; its task closes a socket that has not connected */
    BlockingSockets(ScheduledExecutorService deadlines) {
        this.deadlines = deadlines;
    }

    @Override
    public Socket createSocket() {
        return new DeadlineSocket(deadlines);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private Socket connected(SocketAddress remote, SocketAddress... local) throws IOException {
        Socket socket = createSocket();
        try {
            if (local.length > 0) {
                socket.bind(local[0]);
            }
            socket.connect(remote);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** A socket whose timed connect is a blocking connect that a scheduled close ends at its deadline. */
    private static final class DeadlineSocket extends Socket {

        private final ScheduledExecutorService deadlines;

        DeadlineSocket(ScheduledExecutorService deadlines) {
            this.deadlines = deadlines;
        }

        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
            if (timeout <= 0) {
                super.connect(endpoint, timeout);
                return;
            }
            // Whichever settles first, the connect or its deadline, decides; the deadline's close comes only if it won.
            AtomicBoolean settled = new AtomicBoolean();
            ScheduledFuture<?> deadline = deadlines.schedule(() -> {
                if (settled.compareAndSet(false, true)) {
                    closeQuietly();
                }
            }, timeout, TimeUnit.MILLISECONDS);
            try {
                super.connect(endpoint, 0);
            } catch (IOException e) {
                if (settled.compareAndSet(false, true)) {
                    deadline.cancel(false);
                    throw e; // failed on its own: refused, unreachable
                }
                throw timedOut(timeout, e);
            }
            if (!settled.compareAndSet(false, true)) { // connected as the deadline came: it closes the socket
                closeQuietly();
                throw timedOut(timeout, null);
            }
            deadline.cancel(false);
        }

        private static SocketTimeoutException timedOut(int timeout, IOException cause) {
            SocketTimeoutException e = new SocketTimeoutException("connect timed out after " + timeout + " ms");
            if (cause != null) {
                e.initCause(cause);
            }
            return e;
        }

        private void closeQuietly() {
            try {
                close();
            } catch (IOException ignored) {
                // closing is all that was wanted
            }
        }
    }
}

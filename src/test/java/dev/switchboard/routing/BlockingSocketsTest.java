package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sockets that keep a connect timeout without leaving the JDK's blocking mode. */
class BlockingSocketsTest {

    private final ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1);
    private final BlockingSockets sockets = new BlockingSockets(deadlines);
    private final List<Socket> open = new ArrayList<>();

    BlockingSocketsTest() {
        deadlines.setRemoveOnCancelPolicy(true);
    }

    @AfterEach
    void close() throws IOException {
        for (Socket s : open) {
            s.close();
        }
        deadlines.shutdownNow();
    }

    @Test
    void aTimedConnect_leavesTheSocketBlocking_andItsDeadlineCancelled() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Socket client = sockets.createSocket();
            open.add(client);
            client.connect(server.getLocalSocketAddress(), 5_000);
            Socket plain = new Socket();
            open.add(plain);
            plain.connect(server.getLocalSocketAddress(), 5_000);
            try (Socket accepted = server.accept(); Socket acceptedPlain = server.accept()) {
                accepted.getOutputStream().write("hi".getBytes());
                assertThat(client.getInputStream().readNBytes(2)).isEqualTo("hi".getBytes());

                assertThat(nonBlocking(client)).as("O_NONBLOCK on the client's descriptor").isFalse();
                assertThat(nonBlocking(plain)).as("O_NONBLOCK after the JDK's own timed connect").isTrue();
            }
            assertThat(deadlines.getQueue()).as("deadlines left waiting").isEmpty();
        }
    }

    @Test
    void aConnectThatDoesNotComplete_endsAtItsDeadline_asATimeout() throws Exception {
        // A listener that never accepts, its queue filled: the kernel drops the next handshake, so connect hangs.
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Socket hanging = null;
            for (int i = 0; i < 16 && hanging == null; i++) {
                Socket s = sockets.createSocket();
                open.add(s);
                try {
                    s.connect(server.getLocalSocketAddress(), 300);
                } catch (SocketTimeoutException expected) {
                    hanging = s;
                }
            }

            assertThat(hanging).as("a connect that timed out once the accept queue was full").isNotNull();
            assertThat(hanging.isClosed()).isTrue();
            assertThat(deadlines.getQueue()).isEmpty();
        }
    }

    @Test
    void aRefusedConnect_isRefused_notATimeout() throws Exception {
        int port;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = gone.getLocalPort();
        }
        Socket client = sockets.createSocket();
        open.add(client);

        assertThatThrownBy(() -> client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000))
                .isInstanceOf(ConnectException.class);
        assertThat(deadlines.getQueue()).isEmpty();
    }

    @Test
    void theConnectingFactoryMethods_giveConnectedSockets() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Socket client = sockets.createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
            open.add(client);
            assertThat(client.isConnected()).isTrue();
            assertThat(nonBlocking(client)).isFalse();
        }
    }

    /** Whether the socket's descriptor has O_NONBLOCK, found through /proc by its local port. */
    private static boolean nonBlocking(Socket socket) throws IOException {
        String port = String.format("%04X", socket.getLocalPort());
        String inode = null;
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[1].endsWith(":" + port) && f[3].equals("01")) { // ESTABLISHED
                    inode = f[9];
                }
            }
        }
        assertThat(inode).as("the client's entry in /proc/self/net").isNotNull();
        String target = "socket:[" + inode + "]";
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(target)) {
                        String flags = Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd.getFileName())).stream()
                                .filter(l -> l.startsWith("flags:")).findFirst().orElseThrow();
                        return (Integer.parseInt(flags.substring(6).trim(), 8) & 04000) != 0;
                    }
                } catch (IOException closedMeanwhile) {
                    // another descriptor went away while listing
                }
            }
        }
        throw new AssertionError("no descriptor for " + target);
    }
}

package dev.switchboard.soak;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged service as its own process, started the way the README says ({@code ./switchboard --no-shell
 * --config <file>} from the repository folder). The launcher {@code exec}s java, so the process is the JVM itself:
 * {@link #kill()} is a SIGKILL of the service, not of a shell around it.
 */
final class ServiceProcess {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)([KMG])");

    private final Path repo;
    private final Path config;
    private final Path log;
    private final int opsPort;
    private final Map<String, String> environment;
    private Process process;
    private Duration readyWithin = Duration.ofSeconds(120);

    ServiceProcess(Path repo, Path config, Path log, int opsPort) {
        this(repo, config, log, opsPort, Map.of());
    }

    /** @param environment variables set (or, when empty, removed) for the service on top of this process's */
    ServiceProcess(Path repo, Path config, Path log, int opsPort, Map<String, String> environment) {
        this.repo = repo;
        this.config = config;
        this.log = log;
        this.opsPort = opsPort;
        this.environment = Map.copyOf(environment);
    }

    /** How long {@link #start} waits for ready (several JVMs starting at once on a busy machine need longer). */
    ServiceProcess readyWithin(Duration d) {
        readyWithin = d;
        return this;
    }

    /** Starts the launcher and waits until {@code /readyz} says ready. */
    ServiceProcess start() throws IOException {
        Path jar = repo.resolve("target/switchboard.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("no " + jar + ": the soak run needs `package` first");
        }
        ProcessBuilder builder = new ProcessBuilder(repo.resolve("switchboard").toString(), "--no-shell",
                "--log-format", "text", "--config", config.toString())
                .directory(repo.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        environment.forEach((name, value) -> {
            if (value.isEmpty()) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        process = builder.start();
        await("the service to be ready").atMost(readyWithin).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the service exited with " + process.exitValue() + ":\n"
                                + tail());
                    }
                    return get("/readyz").statusCode() == 200;
                });
        String command = ProcessHandle.of(process.pid()).flatMap(h -> h.info().command()).orElse("");
        if (!command.endsWith("/java")) {
            throw new IllegalStateException("the launcher did not exec java: pid " + process.pid() + " is " + command);
        }
        return this;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL of the JVM (and of anything it started), then waits for it to be gone. */
    void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the service survived SIGKILL");
        }
    }

    /**
     * What the launcher made of the JDK's ahead-of-time cache for this process, from its command line: "AOT cache
     * used", "recording for the AOT cache" or "no AOT cache" (a JDK before 25, or {@code SWITCHBOARD_AOT=off}).
     */
    String aotCache() {
        List<String> arguments = List.of(ProcessHandle.of(pid()).flatMap(h -> h.info().arguments())
                .orElse(new String[0]));
        if (arguments.stream().anyMatch(a -> a.startsWith("-XX:AOTCache="))) {
            return "AOT cache used";
        }
        return arguments.contains("-XX:AOTMode=record") ? "recording for the AOT cache" : "no AOT cache";
    }

    /** SIGTERM: the graceful stop; returns the exit code. */
    int stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return process == null ? 0 : process.exitValue();
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new Unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sums the Prometheus samples of a metric (all label sets), 0 when absent. */
    double metric(String name) {
        String body = get("/metrics").body();
        double sum = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                String[] parts = line.trim().split("\\s+");
                sum += Double.parseDouble(parts[parts.length - 1]);
            }
        }
        return sum;
    }

    /** Prometheus samples of a metric by one label's value. */
    Map<String, Double> metricBy(String name, String label) {
        Map<String, Double> out = new java.util.TreeMap<>();
        Pattern p = Pattern.compile("^" + Pattern.quote(name) + "\\{.*?" + label + "=\"([^\"]*)\".*}\\s+(\\S+)$");
        for (String line : get("/metrics").body().split("\n")) {
            Matcher m = p.matcher(line.trim());
            if (m.matches()) {
                out.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
            }
        }
        return out;
    }

    /** Heap in use right after a full GC, in bytes, by {@code jcmd GC.run} and {@code GC.heap_info}. */
    long heapAfterFullGc() throws IOException, InterruptedException {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no heap figure in: " + info);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "K" -> n << 10;
            case "M" -> n << 20;
            default -> n << 30;
        };
    }

    /**
     * The JVM's platform threads by name, digits folded to {@code #} ("ForkJoinPool-#-worker-#" → count), by
     * {@code jcmd Thread.print}; virtual threads are not listed there.
     */
    java.util.SortedMap<String, Integer> threadGroups() throws IOException, InterruptedException {
        java.util.SortedMap<String, Integer> groups = new java.util.TreeMap<>();
        for (String line : jcmd("Thread.print").split("\n")) {
            if (line.startsWith("\"")) {
                int end = line.indexOf('"', 1);
                if (end > 0) {
                    groups.merge(line.substring(1, end).replaceAll("\\d+", "#"), 1, Integer::sum);
                }
            }
        }
        return groups;
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        String java = ProcessHandle.of(pid()).flatMap(h -> h.info().command()).orElseThrow();
        Path jcmd = Path.of(java).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), command).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed: " + out);
        }
        return out;
    }

    /** A field of {@code /proc/<pid>/status} in kB (VmHWM, VmRSS) or as a count (Threads); -1 when unreadable. */
    long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The answer when nothing listens on the ops port (yet). */
    private record Unavailable(IOException cause) implements HttpResponse<String> {
        @Override
        public int statusCode() {
            return 0;
        }

        @Override
        public HttpRequest request() {
            return null;
        }

        @Override
        public java.util.Optional<HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true);
        }

        @Override
        public String body() {
            return "";
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return java.util.Optional.empty();
        }

        @Override
        public URI uri() {
            return null;
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}

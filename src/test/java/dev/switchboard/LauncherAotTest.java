package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's launcher and the JDK's ahead-of-time cache: the real {@code ./switchboard} script, copied into a
 * folder of its own whose {@code target/switchboard.jar} is a probe that prints the JVM options it was started with.
 * Runs on the JDK of the tests when that is 25 or newer (the cache's one), as the launcher would find it.
 */
class LauncherAotTest {

    @TempDir
    Path home;

    private Path jar;

    @BeforeEach
    void install() throws IOException {
        assumeTrue(Runtime.version().feature() >= 25, "the AOT cache needs a JDK 25 or newer");
        Path launcher = home.resolve("switchboard");
        Files.copy(Path.of("switchboard"), launcher, StandardCopyOption.COPY_ATTRIBUTES);
        // Sources older than the jar: the launcher does not try to build.
        Files.createDirectories(home.resolve("src/main"));
        Files.writeString(home.resolve("pom.xml"), "<project/>");
        Files.setLastModifiedTime(home.resolve("src/main"), FileTime.from(Instant.now().minusSeconds(3600)));
        Files.setLastModifiedTime(home.resolve("pom.xml"), FileTime.from(Instant.now().minusSeconds(3600)));
        jar = Files.createDirectories(home.resolve("target")).resolve("switchboard.jar");
        writeProbeJar(jar);
    }

    @Test
    void theServicesFirstRunRecordsTheNextMakesTheCacheAndEveryLaterRunUsesIt() throws Exception {
        Run first = launch(Map.of());
        assertThat(first.options()).contains("-XX:AOTMode=record").noneMatch(o -> o.startsWith("-XX:AOTCache="));
        assertThat(first.stdout()).as("the JVM's own words stay off stdout").isEqualTo(first.options().toString());
        assertThat(first.stderr()).contains("AOTConfiguration recorded");
        assertThat(files("aotconf")).hasSize(1);

        Run second = launch(Map.of());
        assertThat(second.options()).anyMatch(o -> o.startsWith("-XX:AOTCache=" + home.resolve("target/aot")))
                .doesNotContain("-XX:AOTMode=record");
        assertThat(second.stdout()).isEqualTo(second.options().toString());
        assertThat(files("aotconf")).as("the recording became the cache").isEmpty();
        assertThat(files("aot")).hasSize(1);

        Path cache = files("aot").getFirst();
        FileTime made = Files.getLastModifiedTime(cache);
        Run third = launch(Map.of());
        assertThat(third.options()).contains("-XX:AOTCache=" + cache);
        assertThat(Files.getLastModifiedTime(cache)).as("made once").isEqualTo(made);
        assertThat(third.stderr()).as("a cache that fits loads without a word").isEmpty();
    }

    @Test
    void recordingsOfRunsSideBySide_makeOneCache_andTheOthersAreDropped() throws Exception {
        launch(Map.of());
        Path recording = files("aotconf").getFirst();
        Files.copy(recording, recording.resolveSibling(recording.getFileName().toString()
                .replaceFirst("\\.\\d+\\.aotconf$", ".999999999.aotconf"))); // a second run's, ended

        Run next = launch(Map.of());
        assertThat(next.options()).anyMatch(o -> o.startsWith("-XX:AOTCache="));
        assertThat(files("aotconf")).as("no recording left behind").isEmpty();
        assertThat(files("aot")).hasSize(1);
    }

    @Test
    void commandsHelpAndVersionDoNotRecordButTheServicesOptionsDo() throws Exception {
        for (List<String> args : List.of(List.of("ask", "hello"), List.of("--log-format", "text", "check"),
                List.of("-c", "x.yaml", "store", "verify"), List.of("--help"), List.of("-V"))) {
            assertThat(launch(Map.of(), args).options()).as(args.toString()).doesNotContain("-XX:AOTMode=record");
        }
        assertThat(files("aotconf")).isEmpty();
        assertThat(launch(Map.of(), List.of("--config", "ask", "--log-format", "check", "--no-shell")).options())
                .as("option values are not commands").contains("-XX:AOTMode=record");
    }

    @Test
    void aRebuiltJarOrOtherJvmOptionsStartOverAndOffMeansOff() throws Exception {
        launch(Map.of());
        launch(Map.of());
        Path cache = files("aot").getFirst();

        Run otherOptions = launch(Map.of("SWITCHBOARD_JAVA_OPTS", "-XX:+UseSerialGC -Xmx256m"));
        assertThat(otherOptions.options()).contains("-XX:AOTMode=record", "-Xmx256m");
        assertThat(cache).as("kept for the options it was made with").exists();

        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
        Run rebuilt = launch(Map.of());
        assertThat(rebuilt.options()).contains("-XX:AOTMode=record");
        assertThat(cache).as("made for the jar before").doesNotExist();

        Run off = launch(Map.of("SWITCHBOARD_AOT", "off"));
        assertThat(off.options()).noneMatch(o -> o.startsWith("-XX:AOT"));
    }

    @Test
    void aRecordingStillBeingMadeIsLeftAloneAndABrokenOneIsDropped() throws Exception {
        launch(Map.of());
        Path recording = files("aotconf").getFirst();
        String key = recording.getFileName().toString().split("\\.")[0];
        Path running = recording.resolveSibling(key + "." + ProcessHandle.current().pid() + ".aotconf");
        Files.move(recording, running);

        Run whileRunning = launch(Map.of());
        assertThat(whileRunning.options()).as("this JVM is alive: its recording is not finished")
                .contains("-XX:AOTMode=record");
        assertThat(running).exists();
        Files.delete(running);

        Path newest = files("aotconf").getFirst();
        try (var channel = Files.newByteChannel(newest, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() / 3);
        }
        Run afterBroken = launch(Map.of());
        assertThat(afterBroken.options()).as("a truncated recording makes no cache: this run records again")
                .contains("-XX:AOTMode=record");
        assertThat(afterBroken.stdout()).isEqualTo(afterBroken.options().toString());
        assertThat(newest).doesNotExist();
        assertThat(files("aot")).isEmpty();
    }

    private record Run(List<String> options, String stdout, String stderr) { }

    private Run launch(Map<String, String> environment) throws Exception {
        return launch(environment, List.of("--no-shell"));
    }

    private Run launch(Map<String, String> environment, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("switchboard").toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("SWITCHBOARD_") || k.equals("JAVA_TOOL_OPTIONS"));
        builder.environment().put("SWITCHBOARD_JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(environment);
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the launcher ends").isTrue();
        String stdout = Files.readString(out).strip();
        String stderr = Files.readString(err).strip();
        assertThat(process.exitValue()).as(stderr).isZero();
        List<String> options = List.of(stdout.substring(1, stdout.length() - 1).split(", "));
        return new Run(options, stdout, stderr);
    }

    private List<Path> files(String extension) throws IOException {
        Path dir = home.resolve("target/aot");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith("." + extension)).toList();
        }
    }

    /** A jar whose main class is {@link Probe}, alone. */
    private static void writeProbeJar(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Probe.class.getName());
        String entry = Probe.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file, manifest);
             InputStream in = Probe.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
    }

    /** Prints the JVM's options and, like a service, loads a few classes for the cache to hold. */
    static final class Probe {
        public static void main(String[] args) {
            StandardCharsets.UTF_8.newEncoder();
            java.net.http.HttpClient.newBuilder();
            System.out.print(ManagementFactory.getRuntimeMXBean().getInputArguments());
        }
    }
}

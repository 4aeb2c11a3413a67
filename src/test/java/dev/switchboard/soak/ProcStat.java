package dev.switchboard.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's CPU time from {@code /proc/<pid>/stat} (user + system, in clock ticks), for the benchmarks. */
final class ProcStat {

    private static volatile long ticks;

    private ProcStat() {
    }

    /** utime + stime of the process, in clock ticks. */
    static long cpuTicks(long pid) {
        try {
            return cpuTicks(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/stat", e);
        }
    }

    /**
     * utime + stime in clock ticks of each live thread of the process, summed by thread name with its numbers
     * dropped ({@code /proc/<pid>/task/<tid>/comm}, which Linux cuts at 15 characters), keyed by thread id.
     */
    static java.util.Map<Long, java.util.Map.Entry<String, Long>> threadTicks(long pid) {
        java.util.Map<Long, java.util.Map.Entry<String, Long>> byThread = new java.util.HashMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip().replaceAll("[0-9]+", "N");
                    byThread.put(Long.parseLong(task.getFileName().toString()),
                            java.util.Map.entry(name, cpuTicks(task.resolve("stat"))));
                } catch (IOException | IllegalStateException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/" + pid + "/task", e);
        }
        return byThread;
    }

    /**
     * CPU ticks spent between two {@link #threadTicks} readings by thread name, biggest first; threads that ended
     * between them are in "(ended threads)", from the process's own total.
     */
    static java.util.List<java.util.Map.Entry<String, Long>> byName(
            java.util.Map<Long, java.util.Map.Entry<String, Long>> before,
            java.util.Map<Long, java.util.Map.Entry<String, Long>> after, long processTicks) {
        java.util.Map<String, Long> spent = new java.util.HashMap<>();
        long counted = 0;
        for (var e : after.entrySet()) {
            var was = before.get(e.getKey());
            long ticks = e.getValue().getValue() - (was == null ? 0 : was.getValue());
            spent.merge(e.getValue().getKey(), ticks, Long::sum);
            counted += ticks;
        }
        if (processTicks > counted) {
            spent.put("(ended threads)", processTicks - counted);
        }
        return spent.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed()).toList();
    }

    private static long cpuTicks(Path stat) throws IOException {
        String text = Files.readString(stat);
        // The command name in parentheses may hold spaces: the fields after it start with the state (field 3).
        String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** Clock ticks a second ({@code getconf CLK_TCK}; 100 if that cannot be run). */
    static long ticksPerSecond() {
        if (ticks == 0) {
            try {
                Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                ticks = Long.parseLong(new String(p.getInputStream().readAllBytes()).trim());
            } catch (IOException | NumberFormatException e) {
                ticks = 100;
            }
        }
        return ticks;
    }
}

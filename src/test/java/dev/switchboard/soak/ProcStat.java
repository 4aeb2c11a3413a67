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
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name in parentheses may hold spaces: the fields after it start with the state (field 3).
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/stat", e);
        }
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

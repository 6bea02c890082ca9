package org.canvasbatch.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;

/** What the figures depend on besides the code: the date, the machine, the JDK, and how busy the machine was. */
record MachineFacts(String date, int cores, String cpu, long memoryMiB, String jdk, String os, String openFiles) {

    static MachineFacts now() {
        return new MachineFacts(
                LocalDate.now(ZoneOffset.UTC).toString(),
                Runtime.getRuntime().availableProcessors(),
                cpuModel().orElse("unknown CPU"),
                memTotalKiB() / 1024,
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getenv().getOrDefault("CANVAS_BATCH_LOAD_ULIMIT", "?"));
    }

    /** {@code /proc/loadavg}: the 1, 5 and 15 minute load averages. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return fields[0] + " / " + fields[1] + " / " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    String describe() {
        return String.format(
                Locale.ROOT,
                "%d cores (`nproc`), %s, %.1f GiB memory, %s, %s, `ulimit -n` %s",
                cores,
                cpu,
                memoryMiB / 1024.0,
                jdk,
                os,
                openFiles);
    }

    private static Optional<String> cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long memTotalKiB() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> l.replaceAll("\\D", ""))
                    .mapToLong(Long::parseLong)
                    .findFirst()
                    .orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }
}

package io.salespulse.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Runs {@code bin/salespulse} as its own process, as Airflow or a person would, reading its
 * output line by line; can kill it with SIGKILL ({@code kill -9}) the moment a line appears.
 */
public final class ChildRun {

    /** @param killed whether the process was killed at the marker (else it ended by itself) */
    public record Result(boolean killed, int exitCode, List<String> lines, double seconds) {
        public String output() {
            return String.join("\n", lines);
        }
    }

    private ChildRun() {
    }

    public static Result run(Map<String, String> env, String... args) {
        return run(env, line -> false, line -> { }, args);
    }

    /**
     * @param killAt  the first line matching this kills the process (SIGKILL, no shutdown hooks)
     * @param onLine  sees every line first (to act while the process is mid-run)
     */
    public static Result run(Map<String, String> env, Predicate<String> killAt, Consumer<String> onLine, String... args) {
        Path home = Path.of(System.getProperty("salespulse.home", "."));
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/salespulse").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(Cli.TEST_DEFAULTS);
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        List<String> lines = new ArrayList<>();
        try {
            Process p = pb.start();
            boolean killed = false;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                    onLine.accept(line);
                    if (killAt.test(line)) {
                        p.destroyForcibly(); // SIGKILL on Linux: what kill -9 does (it also closes our end of its output)
                        killed = true;
                        break;
                    }
                }
            }
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("child run did not end: " + command);
            }
            return new Result(killed, p.exitValue(), lines, (System.nanoTime() - t0) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}

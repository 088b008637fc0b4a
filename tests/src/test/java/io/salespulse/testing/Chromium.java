package io.salespulse.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The system's headless Chromium (Debian package {@code chromium}; {@code .ci/run} installs it):
 * loads a page as a person's browser would and returns the DOM after rendering, the console
 * messages, or a screenshot.
 */
public final class Chromium {

    public record Page(String dom, List<String> console) {
    }

    private Chromium() {
    }

    public static String binary() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no headless Chromium: install the Debian package 'chromium' (.ci/run does)");
    }

    /** The rendered DOM and every console message (errors, failed loads) the page produced. */
    public static Page load(Path html) throws IOException, InterruptedException {
        Path out = Files.createTempFile("chromium-dom", ".html");
        Path log = Files.createTempFile("chromium-log", ".txt");
        run(List.of("--enable-logging=stderr", "--v=0", "--dump-dom", html.toUri().toString()), out, log);
        List<String> console = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.contains(":CONSOLE")) {
                console.add(line);
            }
        }
        return new Page(Files.readString(out, StandardCharsets.UTF_8), console);
    }

    public static void screenshot(Path html, Path png) throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        Path log = Files.createTempFile("chromium-log", ".txt");
        run(List.of("--window-size=1280,2600", "--hide-scrollbars", "--screenshot=" + png.toAbsolutePath(), html.toUri().toString()),
                Files.createTempFile("chromium-out", ".txt"), log);
    }

    private static void run(List<String> args, Path stdout, Path stderr) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--user-data-dir=" + Files.createTempDirectory("chromium-profile")));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not finish in 120 s: " + command);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("chromium exited " + p.exitValue() + ": " + Files.readString(stderr));
        }
    }
}

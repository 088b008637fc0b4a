package io.salespulse.testing;

import io.salespulse.cli.Salespulse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the salespulse CLI in the test JVM (sharing its SparkSession) and captures its output. */
public final class Cli {

    /** A test-only hashing key; real keys come from the environment. */
    public static final String TEST_HASH_KEY = "test-only-hash-key";

    public record Result(int code, String out, String err) {
    }

    private Cli() {
    }

    public static Result run(String... args) {
        return runWithEnv(Map.of("SALESPULSE_HASH_KEY", TEST_HASH_KEY), args);
    }

    /**
     * The environment every run of a test gets unless it says otherwise: the lease's settle delay
     * (1.5 s by default, for two runs racing on an object store) at 100 ms, since a test's runs
     * never race by accident; {@code RunLockTest} decides the race with a barrier instead.
     */
    static final Map<String, String> TEST_DEFAULTS = Map.of("SALESPULSE_RUN_LOCK_SETTLE_MS", "100");

    public static Result runWithEnv(Map<String, String> env, String... args) {
        SparkTestBase.spark();
        Map<String, String> all = new java.util.HashMap<>(TEST_DEFAULTS);
        // -Dsalespulse.test.stepsAtOnce=N: every run with run.steps_at_once=N, to compare the suite's runs
        String atOnce = System.getProperty("salespulse.test.stepsAtOnce");
        if (atOnce != null) {
            all.put("SALESPULSE_RUN_STEPS_AT_ONCE", atOnce);
        }
        all.putAll(env);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Salespulse.run(args, all, o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}

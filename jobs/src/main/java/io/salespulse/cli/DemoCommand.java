package io.salespulse.cli;

import io.salespulse.common.TableSpec;
import io.salespulse.common.LocalS3;
import io.salespulse.common.Progress;
import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.SparkSessions;
import io.salespulse.common.TableWriter;
import io.salespulse.ingest.BronzeIngest;
import io.salespulse.ingest.SourceObject;
import io.salespulse.common.OpsTables;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code salespulse demo}: starts the local S3 server, generates ~90 days of demo data into it,
 * runs every day as the nightly scheduler would, and says where the tables are.
 */
final class DemoCommand {

    static final String BUCKET = "salespulse-demo";

    private DemoCommand() {
    }

    static int execute(Args a, Map<String, String> env, PrintStream out, PrintStream err) {
        int days = a.intValue("days", 90);
        int daily = Math.min(days, a.intValue("daily", 5));
        double scale = a.doubleValue("scale", 0.01);
        Path dir = Path.of(a.get("dir") == null ? ".local/demo" : a.get("dir")).toAbsolutePath().normalize();
        Progress progress = new Progress(out);
        LocalDate start = LocalDate.of(2026, 1, 1);
        Path s3Data = dir.resolve("s3");
        deleteTree(s3Data); // a fresh demo every time: re-creating an existing bucket fails on S3Proxy
        progress.step("demo", "starting the local S3 server (S3Proxy) with data under " + s3Data);
        DemoWebhook webhook = null;
        try (LocalS3 s3 = LocalS3.start(LocalS3.defaultJar(), s3Data, 0)) {
            s3.ensureBucket(BUCKET);
            Map<String, String> settings = new LinkedHashMap<>(LocalS3.s3aEndpointSettings(s3.endpoint()));
            settings.put(SalespulseConfig.LANDING_ROOT.name(), "s3a://" + BUCKET + "/landing");
            settings.put(SalespulseConfig.WAREHOUSE_ROOT.name(), "s3a://" + BUCKET + "/warehouse");
            settings.putAll(SparkSessions.SMALL_DATA);
            // the lease's settle delay lets two runs racing for a shared warehouse both see the last
            // writer; this server is the demo's own, on a random port, and its random credentials are
            // held by this process only, so no other run can write here: 1.5 s of waiting per run saved
            settings.put(SalespulseConfig.LOCK_SETTLE.name(), "0");
            if (SalespulseConfig.load(null, env, settings).get(SalespulseConfig.ALERTS_WEBHOOK_URL).isBlank()) {
                // no channel of the user's: alerts go to a receiver on 127.0.0.1 that prints what it gets
                webhook = DemoWebhook.start(progress);
                settings.put(SalespulseConfig.ALERTS_WEBHOOK_URL.name(), webhook.url());
            }
            SalespulseConfig config = SalespulseConfig.load(null, env, settings);
            // the server's random credentials go to the session only, never to a file
            Map<String, String> credentials = Map.of(
                    "spark.hadoop.fs.s3a.access.key", s3.accessKey(),
                    "spark.hadoop.fs.s3a.secret.key", s3.secretKey());
            // the Spark session starts while the generator writes the landing (which needs no Spark): ~3 s of a
            // cold JVM's start-up on the core the generator leaves free
            java.util.concurrent.CompletableFuture<SparkSession> session = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> SparkSessions.create("salespulse-demo", config, credentials));
            DatagenCommand.generate(config.landingRoot(), start, days, scale, 42, 0.0005, null, config, credentials, out);
            SparkSession spark = started(session);
            Map<String, String> demoEnv = new LinkedHashMap<>(env);
            if (!demoEnv.containsKey(io.salespulse.silver.EmailHash.ENV)) {
                demoEnv.put(io.salespulse.silver.EmailHash.ENV, randomKey());
                progress.step("demo", "SALESPULSE_HASH_KEY not set: using a random development key for this demo only");
            }
            int worst = Salespulse.OK;
            int firstDaily = days - daily;
            if (firstDaily > 0) {
                // the initial load: one run catches up on every snapshot landed before the daily runs start
                progress.step("demo", "initial load: one run for " + start.plusDays(firstDaily - 1)
                        + " catches up on " + firstDaily + " days of snapshots");
                worst = RunCommand.execute(spark, config, start.plusDays(firstDaily - 1), demoEnv, out, err);
            }
            progress.step("demo", "nightly runs: one run per day for the last " + daily + " days");
            for (int d = firstDaily; d < days; d++) {
                int code = RunCommand.execute(spark, config, start.plusDays(d), demoEnv, out, err);
                worst = Math.max(worst, code);
            }
            summary(spark, config, s3, progress);
            return worst;
        } finally {
            if (webhook != null) {
                webhook.close();
            }
        }
    }

    /** The session started beside the generator; its failure is thrown as it would have been in this thread. */
    private static SparkSession started(java.util.concurrent.CompletableFuture<SparkSession> session) {
        try {
            SparkSession spark = session.join();
            // the active session is per thread (and inherited by the threads this one starts): without it,
            // code outside a query's own scope would read Spark's default SQL settings instead of the session's
            SparkSession.setActiveSession(spark);
            return spark;
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private static void summary(SparkSession spark, SalespulseConfig config, LocalS3 s3, Progress progress) {
        TableWriter tables = new TableWriter(spark, config.warehouseRoot(), "demo");
        List<String> names = new ArrayList<>();
        for (SourceObject o : SourceObject.values()) {
            names.add(BronzeIngest.LAYER + "." + o.bronzeTable());
        }
        for (io.salespulse.common.TableSpec t : io.salespulse.silver.SilverBuild.TABLES) {
            names.add(io.salespulse.silver.SilverBuild.LAYER + "." + t.name());
        }
        for (io.salespulse.common.TableSpec t : io.salespulse.gold.GoldBuild.TABLES) {
            names.add(io.salespulse.gold.GoldBuild.LAYER + "." + t.name());
        }
        names.add(BronzeIngest.LAYER + "." + OpsTables.MALFORMED_ROWS);
        for (String t : List.of(OpsTables.RUN_LOG, OpsTables.SNAPSHOT_LEDGER, OpsTables.QUARANTINE, io.salespulse.gate.QualityGate.TABLE,
                OpsTables.ALERT_DELIVERIES)) {
            names.add(OpsTables.LAYER + "." + t);
        }
        progress.step("demo", "tables (Delta) under " + config.warehouseRoot() + ":");
        for (String name : names) {
            String[] p = name.split("\\.");
            if (tables.exists(p[0], p[1])) {
                progress.step("demo", String.format("  %-40s %,10d rows", name, tables.storedRows(p[0], p[1])));
            }
        }
        Path onDisk = s3.dataDir().resolve(BUCKET).resolve("warehouse");
        progress.step("demo", "the same tables on disk (the S3 server's files): " + onDisk);
        progress.step("demo", "e.g. python: deltalake.DeltaTable('" + onDisk.resolve("gold/kpi_daily") + "').to_pandas()");
        try (Stream<Path> pages = Files.exists(onDisk.resolve("reports")) ? Files.list(onDisk.resolve("reports")) : Stream.empty()) {
            pages.map(p -> p.resolve(io.salespulse.report.Dashboard.PAGE)).filter(Files::exists).max(Comparator.naturalOrder())
                    .ifPresent(p -> progress.step("demo", "the KPI dashboard: file://" + p));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + onDisk.resolve("reports"), e);
        }
    }

    private static String randomKey() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
    }
}

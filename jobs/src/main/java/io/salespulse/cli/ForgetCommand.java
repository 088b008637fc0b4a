package io.salespulse.cli;

import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.TableWriter;
import io.salespulse.ops.Forget;
import io.salespulse.ops.RunLock;
import io.salespulse.ops.RunLog;
import io.salespulse.silver.EmailHash;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code salespulse forget --email E [--purge true]}: deletes one person's rows everywhere (see
 * {@link Forget}). Holds the warehouse like a run, and logs what it removed, never the email.
 */
final class ForgetCommand {

    private ForgetCommand() {
    }

    static int execute(SparkSession spark, SalespulseConfig config, Args a, Map<String, String> env, PrintStream out,
                       PrintStream err) {
        String email = a.require("email");
        boolean purge = Boolean.parseBoolean(a.get("purge") == null ? "false" : a.get("purge"));
        // without the key the silver lead cannot be found by its hash; the next run drops it anyway
        EmailHash hash = env.get(EmailHash.ENV) == null ? null : EmailHash.fromEnv(env);
        Instant started = Instant.now();
        String runId = "forget_" + RunCommand.newRunId(java.time.LocalDate.now(java.time.ZoneOffset.UTC), started);
        TableWriter writer = new TableWriter(spark, config.warehouseRoot(), runId);
        RunLock lock = RunCommand.takeWarehouse(spark, config, runId, err);
        if (lock == null) {
            return Salespulse.BUSY;
        }
        Map<String, Long> removed;
        try (lock) {
            try {
                removed = new Forget(writer).execute(email, hash, purge);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            StringBuilder summary = new StringBuilder("forget: removed ");
            removed.forEach((t, n) -> summary.append(t).append(' ').append(n).append(", "));
            String message = removed.isEmpty() ? "forget: no rows matched" : summary.substring(0, summary.length() - 2)
                    + (purge ? "; old file versions vacuumed" : "; old file versions remain until VACUUM (or --purge true)")
                    + (hash == null ? "; silver lead removed at the next run (" + EmailHash.ENV + " not set)" : "");
            new RunLog(writer).record("forget", null, started, "success", Salespulse.OK, message, List.of(), List.of());
            out.println(message);
        }
        return Salespulse.OK;
    }
}

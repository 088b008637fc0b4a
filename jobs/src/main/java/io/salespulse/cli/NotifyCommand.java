package io.salespulse.cli;

import io.salespulse.common.Progress;
import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.TableWriter;
import io.salespulse.notify.AlertDelivery;
import io.salespulse.ops.RunLock;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

/**
 * {@code salespulse notify --date D}: sends D's alerts that a channel has not received yet (the
 * Airflow delivery task, or a retry by hand after a receiver was down). Exit 0 when everything
 * pending was delivered (or there was nothing to send), 6 when a channel still failed.
 */
final class NotifyCommand {

    private NotifyCommand() {
    }

    static int execute(SparkSession spark, SalespulseConfig config, LocalDate date, Map<String, String> env, PrintStream out,
                       PrintStream err) {
        String runId = RunCommand.newRunId(date, Instant.now()) + "_notify";
        TableWriter writer = new TableWriter(spark, config.warehouseRoot(), runId);
        AlertDelivery delivery = RunCommand.alertDelivery(writer, config, env, new Progress(out));
        RunLock lock = RunCommand.takeWarehouse(spark, config, runId, err);
        if (lock == null) {
            return Salespulse.BUSY;
        }
        try (lock) {
            AlertDelivery.Outcome o = delivery.deliver(date);
            if (o.alerts() == 0) {
                out.println("no alert on " + date);
            }
            for (String f : o.failed()) {
                err.println("salespulse: delivery failed: " + f);
            }
            return o.ok() ? Salespulse.OK : Salespulse.DELIVERY_FAILED;
        }
    }
}

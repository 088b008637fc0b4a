package io.salespulse.quality;

import io.salespulse.ingest.SourceObject;
import io.salespulse.common.TableSpec;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * The checks themselves, as functions of frames: keys unique and present, foreign keys resolve,
 * counts reconcile, volume within the trailing norm, landing fresh. Each returns results; the
 * The gate ({@code gate.QualityGate}) records them and decides whether the run may go on.
 */
public final class QualityChecks {

    private QualityChecks() {
    }

    /** A table's row count with its key checks, taken in one pass (the count a build needs anyway). */
    public record Profile(long rows, List<CheckResult> checks) {
    }

    /**
     * Primary key unique, no key column null, the table's required columns present (all error-level:
     * a KPI would count a row twice, lose it, or place it on no date), in one pass over the rows.
     * Staging quarantines rows without a required column, so a null here is a defect, not a data
     * problem.
     */
    public static Profile keys(String layer, TableSpec table, Dataset<Row> rows) {
        Column anyNull = lit(false);
        Column[] keyCols = new Column[table.key().size()];
        for (int i = 0; i < keyCols.length; i++) {
            keyCols[i] = col(table.key().get(i));
            anyNull = anyNull.or(keyCols[i].isNull());
        }
        List<String> required = table.required();
        List<Column> aggs = new ArrayList<>(List.of(sum(when(anyNull, 1L).otherwise(0L)),
                countDistinct(keyCols[0], java.util.Arrays.copyOfRange(keyCols, 1, keyCols.length))));
        for (String c : required) {
            aggs.add(sum(when(col(c).isNull(), 1L).otherwise(0L)));
        }
        Row r = rows.agg(count(lit(1)), aggs.toArray(Column[]::new)).first();
        long total = r.getLong(0);
        long nulls = r.isNullAt(1) ? 0 : r.getLong(1);
        long distinct = r.getLong(2);
        long duplicates = total - nulls - distinct;
        String key = String.join(", ", table.key());
        List<CheckResult> checks = new ArrayList<>(List.of(
                new CheckResult(layer, "primary_key_unique", table.name(), CheckResult.ERROR, duplicates == 0, duplicates,
                        duplicates + " surplus rows share a key (" + key + ") among " + total),
                new CheckResult(layer, "key_not_null", table.name(), CheckResult.ERROR, nulls == 0, nulls,
                        nulls + " rows with a null key column (" + key + ")")));
        for (int i = 0; i < required.size(); i++) {
            long missing = r.isNullAt(3 + i) ? 0 : r.getLong(3 + i);
            checks.add(new CheckResult(layer, "required_not_null", table.name(), CheckResult.ERROR, missing == 0, missing,
                    missing + " rows without " + required.get(i)));
        }
        return new Profile(total, checks);
    }

    /** Orphan counts of every foreign key the tables declare (parents among the same tables), in one Spark job. */
    public static List<CheckResult> foreignKeys(String layer, Map<TableSpec, Dataset<Row>> tables) {
        Map<String, TableSpec> byName = new java.util.HashMap<>();
        tables.keySet().forEach(t -> byName.put(t.name(), t));
        List<TableSpec> children = new ArrayList<>();
        List<TableSpec.ForeignKey> fks = new ArrayList<>();
        for (TableSpec t : tables.keySet()) {
            for (TableSpec.ForeignKey fk : t.foreignKeys()) {
                children.add(t);
                fks.add(fk);
            }
        }
        Dataset<Row> counts = null;
        for (int i = 0; i < fks.size(); i++) {
            TableSpec.ForeignKey fk = fks.get(i);
            TableSpec parent = byName.get(fk.parent());
            if (parent == null) {
                throw new IllegalArgumentException(children.get(i).name() + "." + fk.column() + " points at " + fk.parent()
                        + ", which is not among the tables checked");
            }
            Dataset<Row> ids = tables.get(parent).select(col(fk.parentColumn()).as("_parent")).distinct();
            Dataset<Row> orphans = tables.get(children.get(i)).where(col(fk.column()).isNotNull())
                    .join(ids, col(fk.column()).equalTo(col("_parent")), "left_anti")
                    .agg(count(lit(1)).as("orphans")).select(lit(i).as("fk"), col("orphans"));
            counts = counts == null ? orphans : counts.union(orphans);
        }
        long[] byFk = new long[fks.size()];
        if (counts != null) {
            for (Row r : counts.collectAsList()) {
                byFk[r.getInt(0)] = r.getLong(1);
            }
        }
        List<CheckResult> out = new ArrayList<>();
        for (int i = 0; i < fks.size(); i++) {
            TableSpec.ForeignKey fk = fks.get(i);
            out.add(new CheckResult(layer, "foreign_key", children.get(i).name(), fk.blocking() ? CheckResult.ERROR : CheckResult.WARN,
                    byFk[i] == 0, byFk[i], byFk[i] + " rows whose " + fk.column() + " is not a " + fk.parent() + "." + fk.parentColumn()));
        }
        return out;
    }

    /**
     * A silver table built one row per live record must hold exactly the current versions counted
     * while reconciling bronze (rows in = quarantined + superseded + deleted + current).
     */
    public static CheckResult reconcile(String tableName, long silverRows, SourceObject object,
                                        List<Reconciliation> reconciliation) {
        long current = reconciliation.stream().filter(r -> r.tableName().equals(object.bronzeTable()))
                .mapToLong(Reconciliation::current).sum();
        long gap = silverRows - current;
        return new CheckResult("silver", "reconciles_with_bronze", tableName, CheckResult.ERROR, gap == 0, gap,
                silverRows + " rows vs " + current + " current live versions in " + object.bronzeTable());
    }

    /** A gold total must equal the same count taken straight from silver. */
    public static CheckResult total(String tableName, String what, long gold, long silver) {
        long gap = gold - silver;
        return new CheckResult("gold", "reconciles_with_silver", tableName, CheckResult.ERROR, gap == 0, gap,
                what + ": " + gold + " in gold vs " + silver + " in silver");
    }

    /**
     * Today's incremental rows per object against the mean of the trailing 28 days (at least 7 of
     * them, mean at least 20 rows): outside [mean / tolerance, mean × tolerance] is anomalous.
     *
     * @param ledger ops.snapshot_ledger
     */
    public static List<CheckResult> volume(Dataset<Row> ledger, LocalDate runDate, double tolerance) {
        Dataset<Row> incremental = ledger.where(col("status").equalTo("loaded").and(col("mode").equalTo("incremental")));
        Date today = Date.valueOf(runDate);
        Dataset<Row> trailing = incremental.where(col("snapshot_date").geq(lit(Date.valueOf(runDate.minusDays(28))))
                        .and(col("snapshot_date").lt(lit(today))))
                .groupBy("table_name").agg(avg("rows_loaded").as("mean"), count(lit(1)).as("days"));
        List<Row> rows = incremental.where(col("snapshot_date").equalTo(lit(today)))
                .groupBy("table_name").agg(sum("rows_loaded").as("today"))
                .join(trailing, "table_name").orderBy("table_name").collectAsList();
        List<CheckResult> out = new ArrayList<>();
        for (Row r : rows) {
            long todayRows = r.getLong(1);
            double mean = r.getDouble(2);
            if (r.getLong(3) < 7 || mean < 20) {
                continue; // too little history to call anything anomalous
            }
            boolean ok = todayRows <= mean * tolerance && todayRows >= mean / tolerance;
            out.add(new CheckResult("landing", "volume_within_norm", r.getString(0), CheckResult.WARN, ok, todayRows,
                    String.format("%d rows today vs a trailing 28-day mean of %.1f (tolerance ×%s)", todayRows, mean, tolerance)));
        }
        return out;
    }

    /** Every object has a loaded snapshot dated on the run date (its manifest arrived in time). */
    public static List<CheckResult> freshness(Dataset<Row> ledger, LocalDate runDate) {
        List<String> landed = ledger.where(col("status").equalTo("loaded").and(col("snapshot_date").equalTo(lit(Date.valueOf(runDate)))))
                .select("table_name").distinct().as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        List<CheckResult> out = new ArrayList<>();
        for (SourceObject o : SourceObject.values()) {
            boolean fresh = landed.contains(o.bronzeTable());
            out.add(new CheckResult("landing", "landing_fresh", o.bronzeTable(), CheckResult.WARN, fresh, fresh ? 1 : 0,
                    fresh ? "snapshot of " + runDate + " loaded" : "no snapshot of " + runDate + " loaded (manifest missing or late)"));
        }
        return out;
    }
}

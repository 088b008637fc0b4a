package io.salespulse.gold;

import io.salespulse.common.TableWriter;
import io.salespulse.silver.Dimensions;
import io.salespulse.silver.SilverBuild;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.Optional;

import static org.apache.spark.sql.functions.max;

/**
 * The latest business date the warehouse has published: the last day of {@code silver.dim_date}
 * or of {@code gold.kpi_daily}, whichever is later. Read from the tables themselves, so it cannot
 * drift from what analysts see, and a run killed half-way through publishing moves it as far as
 * the tables it wrote. Published tables only move forward: a run for an earlier date computes as
 * of this mark (see docs/operations.md).
 */
public final class HighWaterMark {

    private HighWaterMark() {
    }

    /** @return the mark, or null when neither table has a row yet */
    public static LocalDate read(TableWriter tables) {
        LocalDate silver = lastDate(tables, SilverBuild.LAYER, Dimensions.DATE.name(), "date");
        LocalDate gold = lastDate(tables, GoldBuild.LAYER, KpiDaily.TABLE.name(), "kpi_date");
        if (silver == null) {
            return gold;
        }
        return gold == null || silver.isAfter(gold) ? silver : gold;
    }

    /** The date a run for {@code requested} computes silver and gold as of: never before the mark. */
    public static LocalDate asOf(LocalDate requested, LocalDate mark) {
        return mark != null && mark.isAfter(requested) ? mark : requested;
    }

    private static LocalDate lastDate(TableWriter tables, String layer, String table, String column) {
        if (!tables.exists(layer, table)) {
            return null;
        }
        // read every run before any stage: from the files' statistics when the log lists them (no Spark job)
        Optional<Optional<LocalDate>> fromStatistics = tables.fileStatistics(layer, table)
                .flatMap(files -> TableWriter.dateBound(files, column, false));
        if (fromStatistics.isPresent()) {
            return fromStatistics.get().orElse(null);
        }
        Row r = tables.read(layer, table).agg(max(column)).first();
        return r.isNullAt(0) ? null : r.getDate(0).toLocalDate();
    }
}

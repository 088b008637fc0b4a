package io.salespulse.gold;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.common.TableWriter;
import io.salespulse.silver.Dimensions;
import io.salespulse.silver.SilverBuild;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.List;
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
                .flatMap(files -> greatest(files, column));
        if (fromStatistics.isPresent()) {
            return fromStatistics.get().orElse(null);
        }
        Row r = tables.read(layer, table).agg(max(column)).first();
        return r.isNullAt(0) ? null : r.getDate(0).toLocalDate();
    }

    /**
     * The greatest date of a column over the files' statistics: empty inside when no file holds a
     * value; empty outside when a file holding values has no bound for the column (Delta keeps
     * bounds for the first 32 columns only), so that the rows must be read.
     */
    static Optional<Optional<LocalDate>> greatest(List<JsonNode> files, String column) {
        LocalDate greatest = null;
        for (JsonNode stats : files) {
            long rows = stats.path("numRecords").asLong(-1);
            JsonNode bound = stats.path("maxValues").get(column);
            if (bound != null && !bound.isNull()) {
                LocalDate date;
                try {
                    date = LocalDate.parse(bound.asText());
                } catch (java.time.format.DateTimeParseException e) {
                    return Optional.empty(); // not a date bound: the rows tell
                }
                greatest = greatest == null || date.isAfter(greatest) ? date : greatest;
            } else if (rows < 0 || (rows > 0 && stats.path("nullCount").path(column).asLong(-1) != rows)) {
                // a file that may hold values (no row count, or rows that are not all null) without a bound
                return Optional.empty();
            }
        }
        return Optional.of(Optional.ofNullable(greatest));
    }
}

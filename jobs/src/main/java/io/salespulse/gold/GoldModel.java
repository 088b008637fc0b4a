package io.salespulse.gold;

import io.salespulse.common.TableSpec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;
import java.util.function.Function;

/**
 * A gold table: its contract and one pure build from the run's inputs. {@link GoldBuild#MODELS}
 * lists them in build order; everything else (conform, key checks, the quality gate, the write,
 * progress, caching) is done for every model alike by {@link GoldBuild}.
 *
 * @param dated    one row per KPI date: the build computes only {@link GoldInputs#dates()} and a daily
 *                 run rewrites only those dates; otherwise the build returns the whole table as of the
 *                 run date
 * @param goldRead the gold tables the build reads (computed before it; the others are computed side by side)
 */
public record GoldModel(TableSpec table, boolean dated, Function<GoldInputs, Dataset<Row>> build, List<TableSpec> goldRead) {

    public GoldModel {
        goldRead = List.copyOf(goldRead);
    }

    /** A table with one row per KPI date (and perhaps per rep, …). */
    public static GoldModel perDate(TableSpec table, Function<GoldInputs, Dataset<Row>> build) {
        return new GoldModel(table, true, build, List.of());
    }

    /** A table computed whole on every run (cohorts, campaigns, alerts). */
    public static GoldModel whole(TableSpec table, Function<GoldInputs, Dataset<Row>> build) {
        return new GoldModel(table, false, build, List.of());
    }

    /** This model reading the gold tables {@code tables} (a build that reads one not declared here fails). */
    public GoldModel reading(TableSpec... tables) {
        return new GoldModel(table, dated, build, List.of(tables));
    }
}

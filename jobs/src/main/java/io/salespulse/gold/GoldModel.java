package io.salespulse.gold;

import io.salespulse.common.TableSpec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.function.Function;

/**
 * A gold table: its contract and one pure build from the run's inputs. {@link GoldBuild#MODELS}
 * lists them in build order; everything else (conform, key checks, the quality gate, the write,
 * progress, caching) is done for every model alike by {@link GoldBuild}.
 *
 * @param dated one row per KPI date: the build computes only {@link GoldInputs#dates()} and a daily
 *              run rewrites only those dates; otherwise the build returns the whole table as of the
 *              run date
 */
public record GoldModel(TableSpec table, boolean dated, Function<GoldInputs, Dataset<Row>> build) {

    /** A table with one row per KPI date (and perhaps per rep, …). */
    public static GoldModel perDate(TableSpec table, Function<GoldInputs, Dataset<Row>> build) {
        return new GoldModel(table, true, build);
    }

    /** A table computed whole on every run (cohorts, campaigns, alerts). */
    public static GoldModel whole(TableSpec table, Function<GoldInputs, Dataset<Row>> build) {
        return new GoldModel(table, false, build);
    }
}

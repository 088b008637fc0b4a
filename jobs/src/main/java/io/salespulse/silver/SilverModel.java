package io.salespulse.silver;

import io.salespulse.common.TableSpec;
import io.salespulse.ingest.SourceObject;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;
import java.util.function.Function;

/**
 * A silver table: its contract, one pure build from the run's inputs, and — when it holds exactly
 * one row per live record of a source object — that object, so the quality gate reconciles its
 * row count with bronze. {@link SilverBuild#MODELS} lists them in build order; conform, key
 * checks, the write, progress and caching are done for every model alike by {@link SilverBuild}.
 */
public record SilverModel(TableSpec table, SourceObject onePerRecordOf, Function<SilverInputs, Built> build,
                          List<TableSpec> silverRead) {

    /** @param silverRead the silver tables the build reads (built before it; the others are built side by side) */
    public SilverModel {
        silverRead = List.copyOf(silverRead);
    }

    /** A table whose build stops rows on the way (quarantined with a reason). */
    public static SilverModel of(TableSpec table, Function<SilverInputs, Built> build) {
        return new SilverModel(table, null, build, List.of());
    }

    /** A table whose build stops no row. */
    public static SilverModel clean(TableSpec table, Function<SilverInputs, Dataset<Row>> build) {
        return new SilverModel(table, null, in -> Built.clean(build.apply(in)), List.of());
    }

    /** This model, declared to hold one row per live record of {@code object}. */
    public SilverModel onePerRecordOf(SourceObject object) {
        return new SilverModel(table, object, build, silverRead);
    }

    /** This model reading the silver tables {@code tables} (a build that reads one not declared here fails). */
    public SilverModel reading(TableSpec... tables) {
        return new SilverModel(table, onePerRecordOf, build, List.of(tables));
    }
}

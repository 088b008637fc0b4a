package io.salespulse.silver;

import io.salespulse.common.TableSpec;
import io.salespulse.ingest.SourceObject;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The Salesforce records the rows landed since silver was last computed reach, for silver tables
 * that hold one row per record of a source object ({@link OpportunityIncrement},
 * {@link LeadIncrement}): a daily run stages and ranks only those records' versions and replaces
 * their rows, instead of staging every row in bronze. A record's current version depends on its own
 * versions and its object's full snapshots only, so a reached record is ranked as a rebuild ranks it.
 */
abstract class RecordsReached {

    /** Records named in a replace's predicate, at most; a night that reaches more computes the tables whole. */
    static final int MAX_RECORDS = 20_000;

    final LocalDate appliedThrough;
    /** The objects whose staging this covers. */
    private final List<SourceObject> objects;
    /** The silver tables whose rows this replaces in part, in the order the progress names them. */
    private final List<TableSpec> tables;
    /** Staged rows landed after {@link #appliedThrough}, of each object, errors included. */
    private final Map<SourceObject, Dataset<Row>> landed;
    /** Every staged version of each object's reached records, errors included. */
    private final Map<SourceObject, Dataset<Row>> versions;
    /** Each table's reached records, by the table's key (the object's Id). */
    private final Map<TableSpec, Set<String>> ids;

    RecordsReached(LocalDate appliedThrough, List<SourceObject> objects, List<TableSpec> tables,
                   Map<SourceObject, Dataset<Row>> landed, Map<SourceObject, Dataset<Row>> versions, Map<TableSpec, Set<String>> ids) {
        this.appliedThrough = appliedThrough;
        this.objects = List.copyOf(objects);
        this.tables = List.copyOf(tables);
        this.landed = Map.copyOf(landed);
        this.versions = Map.copyOf(versions);
        this.ids = Map.copyOf(ids);
    }

    List<SourceObject> objects() {
        return objects;
    }

    List<TableSpec> tables() {
        return tables;
    }

    /** What {@code n} reached records of {@code table} are, for the progress line ("opportunities with a version landed …"). */
    abstract String describe(TableSpec table, int n);

    /** Staged rows landed after {@link #appliedThrough} (their errors are the object's new quarantine). */
    Dataset<Row> landed(SourceObject object) {
        return landed.get(object);
    }

    /** Every staged version of the object's reached records. */
    Dataset<Row> versions(SourceObject object) {
        return versions.get(object);
    }

    /** The reached records of a table, by its key. */
    Set<String> ids(TableSpec table) {
        return ids.get(table);
    }

    /** The part of {@code table} this recomputes. */
    Built.Replacement replacement(TableSpec table) {
        Set<String> reached = ids(table);
        if (reached.isEmpty()) {
            return new Built.Replacement("false", "nothing");
        }
        return new Built.Replacement(table.key().get(0) + " IN (" + list(reached) + ")",
                String.format("the rows of %,d %s", reached.size(), describe(table, reached.size())));
    }

    /**
     * The silver quarantine's rows this leaves as they are, as a condition on alias {@code t}: the
     * objects' rows that could not be typed (only the new ones are added), and the tables' rows of
     * records not reached.
     */
    String quarantineKept() {
        StringBuilder kept = new StringBuilder("t.table_name IN (");
        kept.append(objects().stream().map(o -> FactActivityDaily.sqlString(o.bronzeTable())).collect(Collectors.joining(", ")));
        kept.append(")");
        for (TableSpec t : tables()) {
            Set<String> reached = ids(t);
            kept.append(" OR (t.table_name = ").append(FactActivityDaily.sqlString(t.name()));
            kept.append(reached.isEmpty() ? ")" : " AND NOT t.record_id IN (" + list(reached) + "))");
        }
        return kept.toString();
    }

    static void tooMany(int n, String what) {
        if (n > MAX_RECORDS) {
            throw new IllegalStateException(String.format("%,d %s reached, more than %,d", n, what, MAX_RECORDS));
        }
    }

    /** The distinct values of a one-column frame, nulls left out (a mutable, sorted set). */
    static Set<String> strings(Dataset<Row> oneColumn) {
        Set<String> out = new TreeSet<>();
        for (String s : oneColumn.distinct().as(Encoders.STRING()).collectAsList()) {
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    static String list(Set<String> ids) {
        return ids.stream().map(FactActivityDaily::sqlString).collect(Collectors.joining(", "));
    }
}

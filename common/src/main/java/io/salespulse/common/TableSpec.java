package io.salespulse.common;

import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/**
 * A table's contract (silver, gold or ops), kept in one place: name, what it holds, columns with
 * their meaning, the key a daily run merges on, the columns every row must carry, the columns that
 * point at another table of the same layer, the columns its files are partitioned by, and the
 * columns its files hold ranges of. The quality checks read the key, required columns and foreign
 * keys from here, the writer and {@code maintain} the layout, the data dictionary the comments.
 *
 * @param required    columns besides the key that no row may leave null (the dates KPIs are placed by)
 * @param foreignKeys every non-null value of a column is a key of another table of the same layer
 * @param partitionBy partition columns, given when the table is created
 * @param orderedBy   columns whose consecutive ranges the files hold when the table is written whole
 *                    (and after {@code maintain}), so that a predicate on them skips most files
 */
public record TableSpec(String name, String comment, StructType schema, List<String> key, List<String> required,
                        List<ForeignKey> foreignKeys, List<String> partitionBy, List<String> orderedBy) {

    /**
     * {@code column} of this table holds values of {@code parentColumn} of the table named
     * {@code parent} (same layer). Blocking where the build quarantines orphans, so an orphan is a
     * defect; a warning where the source system may legitimately point at a record not (yet) landed.
     */
    public record ForeignKey(String column, String parent, String parentColumn, boolean blocking) {
    }

    public TableSpec {
        key = List.copyOf(key);
        required = List.copyOf(required);
        foreignKeys = List.copyOf(foreignKeys);
        partitionBy = List.copyOf(partitionBy);
        orderedBy = List.copyOf(orderedBy);
        List<String> named = new ArrayList<>(key);
        named.addAll(required);
        named.addAll(partitionBy);
        named.addAll(orderedBy);
        foreignKeys.forEach(fk -> named.add(fk.column()));
        List<String> columns = List.of(schema.fieldNames());
        for (String c : named) {
            if (!columns.contains(c)) {
                throw new IllegalArgumentException(name + ": " + c + " is not one of its columns");
            }
        }
    }

    public TableSpec(String name, String comment, StructType schema, List<String> key) {
        this(name, comment, schema, key, List.of(), List.of(), List.of(), List.of());
    }

    /** This contract with {@code columns} required in every row. */
    public TableSpec requiring(String... columns) {
        List<String> r = new ArrayList<>(required);
        r.addAll(List.of(columns));
        return new TableSpec(name, comment, schema, key, r, foreignKeys, partitionBy, orderedBy);
    }

    /** This contract with a foreign key whose orphans fail the quality gate. */
    public TableSpec referencing(String column, TableSpec parent, String parentColumn) {
        return withForeignKey(new ForeignKey(column, parent.name(), parentColumn, true));
    }

    /** This contract with a foreign key whose orphans are reported as a warning. */
    public TableSpec expecting(String column, TableSpec parent, String parentColumn) {
        return withForeignKey(new ForeignKey(column, parent.name(), parentColumn, false));
    }

    /** This contract with its files partitioned by {@code columns}. */
    public TableSpec partitionedBy(String... columns) {
        return new TableSpec(name, comment, schema, key, required, foreignKeys, List.of(columns), orderedBy);
    }

    /** This contract with its files holding consecutive ranges of {@code columns}. */
    public TableSpec orderedBy(String... columns) {
        return new TableSpec(name, comment, schema, key, required, foreignKeys, partitionBy, List.of(columns));
    }

    private TableSpec withForeignKey(ForeignKey fk) {
        List<ForeignKey> fks = new ArrayList<>(foreignKeys);
        fks.add(fk);
        return new TableSpec(name, comment, schema, key, required, fks, partitionBy, orderedBy);
    }
}

package io.salespulse.common;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/**
 * A table's columns with their meaning. Delta stores a field's {@code comment} metadata as the
 * column comment, so the contract with analysts travels with the table itself.
 */
public final class TableSchema {

    private final List<StructField> fields = new ArrayList<>();

    public static TableSchema of() {
        return new TableSchema();
    }

    public TableSchema col(String name, DataType type, String comment) {
        Metadata meta = new MetadataBuilder().putString("comment", comment).build();
        fields.add(new StructField(name, type, true, meta));
        return this;
    }

    public StructType struct() {
        return new StructType(fields.toArray(StructField[]::new));
    }
}

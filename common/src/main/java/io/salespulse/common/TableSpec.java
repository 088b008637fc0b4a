package io.salespulse.common;

import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * A table's contract (silver, gold or ops): name, what it holds, columns with their meaning, and
 * the key a daily run merges on.
 */
public record TableSpec(String name, String comment, StructType schema, List<String> key) {
}

package io.salespulse.silver;

import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * A silver table's contract: name, what it holds, columns with their meaning, and the key a
 * daily run merges on.
 */
public record SilverTable(String name, String comment, StructType schema, List<String> key) {
}

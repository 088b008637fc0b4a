package io.salespulse.staging;

import org.apache.spark.sql.Column;

import static org.apache.spark.sql.functions.call_function;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

/**
 * Turns landed strings into typed values with Spark built-ins. Every parser returns null for a
 * blank value and null for a value it cannot read; {@link #isBadValue} tells the two apart so
 * that a bad value sends its row to quarantine instead of silently becoming null.
 */
public final class Typing {

    public enum Type { STRING, TIMESTAMP, DATE, BOOLEAN, DECIMAL, RATE }

    private Typing() {
    }

    /** Null when blank (null, empty or whitespace only), else the trimmed text. */
    public static Column blankToNull(Column c) {
        return when(trim(c).equalTo(""), lit(null).cast("string")).otherwise(trim(c));
    }

    public static Column parse(Column raw, Type type) {
        Column v = blankToNull(raw);
        return switch (type) {
            case STRING -> when(trim(raw).equalTo(""), lit(null).cast("string")).otherwise(raw);
            // Spark's ISO-8601 cast reads every offset spelling of the contract: +0000, Z, -05:00
            case TIMESTAMP -> v.try_cast("timestamp");
            case DATE -> call_function("try_to_date", v, lit("yyyy-MM-dd"));
            case BOOLEAN -> when(lower(v).equalTo("true"), lit(true)).when(lower(v).equalTo("false"), lit(false));
            case DECIMAL -> v.try_cast("decimal(38,6)");
            case RATE -> v.try_cast("decimal(38,12)");
        };
    }

    /** True when the raw value is present but does not parse as the type. */
    public static Column isBadValue(Column raw, Type type) {
        if (type == Type.STRING) {
            return lit(false);
        }
        return blankToNull(raw).isNotNull().and(parse(raw, type).isNull());
    }

    public static Column raw(String name) {
        return col("`" + name + "`");
    }
}

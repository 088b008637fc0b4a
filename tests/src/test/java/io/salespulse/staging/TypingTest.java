package io.salespulse.staging;

import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/** Landed strings to typed values: every timestamp spelling of the contract, blanks, and bad values. */
class TypingTest extends SparkTestBase {

    private static List<Row> parse(Typing.Type type, String... values) {
        List<Row> rows = new java.util.ArrayList<>();
        for (String v : values) {
            rows.add(RowFactory.create(v));
        }
        Dataset<Row> df = spark().createDataFrame(rows, new StructType().add("v", DataTypes.StringType));
        return df.select(Typing.parse(col("v"), type).as("parsed"), Typing.isBadValue(col("v"), type).as("bad")).collectAsList();
    }

    @Test
    void timestampsWithEveryOffsetSpelling() {
        List<Row> r = parse(Typing.Type.TIMESTAMP, "2026-03-01T17:04:11.000+0000", "2026-03-01T17:04:11Z",
                "2026-03-01T12:04:11.000-05:00", "2026-03-01T17:04:11.000Z", "2026-03-01T18:04:11+01:00", " ", null, "yesterday",
                "2026-02-30T10:00:00Z");
        Timestamp expected = Timestamp.from(Instant.parse("2026-03-01T17:04:11Z"));
        for (int i = 0; i < 5; i++) {
            assertThat(r.get(i).getTimestamp(0)).as("value %d", i).isEqualTo(expected);
            assertThat(r.get(i).getBoolean(1)).isFalse();
        }
        assertThat(r.get(5).isNullAt(0)).isTrue();
        assertThat(r.get(5).getBoolean(1)).as("blank is null, not bad").isFalse();
        assertThat(r.get(6).getBoolean(1)).isFalse();
        assertThat(r.get(7).isNullAt(0)).isTrue();
        assertThat(r.get(7).getBoolean(1)).as("text is bad").isTrue();
        assertThat(r.get(8).getBoolean(1)).as("impossible date is bad").isTrue();
    }

    @Test
    void datesBooleansAndDecimals() {
        List<Row> d = parse(Typing.Type.DATE, "2026-03-01", "2026-13-01", "");
        assertThat(d.get(0).getDate(0)).isEqualTo(Date.valueOf("2026-03-01"));
        assertThat(d.get(1).getBoolean(1)).isTrue();
        assertThat(d.get(2).getBoolean(1)).isFalse();
        List<Row> b = parse(Typing.Type.BOOLEAN, "true", "FALSE", "yes");
        assertThat(b.get(0).getBoolean(0)).isTrue();
        assertThat(b.get(1).getBoolean(0)).isFalse();
        assertThat(b.get(2).getBoolean(1)).isTrue();
        List<Row> m = parse(Typing.Type.DECIMAL, "1234.5", "-10.123456789", "12,50", "abc");
        assertThat(m.get(0).getDecimal(0)).isEqualByComparingTo(new BigDecimal("1234.5"));
        assertThat(m.get(1).getDecimal(0)).isEqualByComparingTo(new BigDecimal("-10.123457"));
        assertThat(m.get(2).getBoolean(1)).isTrue();
        assertThat(m.get(3).getBoolean(1)).isTrue();
    }
}

package io.salespulse.ingest;

import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Segment lines are parsed once per line for all their fields. The fields must be what one
 * {@code get_json_object} per field gives (how bronze was read before, and what the landing
 * contract documents), on lines that trip JSON parsers: nulls, nested objects, numbers,
 * non-ASCII text, truncated lines, lines that are not objects.
 */
class SegmentLinesTest extends SparkTestBase {

    private static final List<String> LINES = List.of(
            "{\"messageId\":\"m1\",\"type\":\"track\",\"event\":\"Signed Up\",\"properties\":{\"plan\":\"pro\",\"seats\":3,\"tags\":[\"a\",\"b\"]},\"context\":null}",
            "{\"messageId\":\"m2\",\"type\":\"identify\",\"userId\":\"u2\",\"traits\":{\"email\":\"a\u00e9@x.com\",\"name\":\"Zo\\\"e\"},\"timestamp\":\"2026-03-01T10:00:00Z\"}",
            "{\"messageId\":7,\"type\":\"page\",\"anonymousId\":\"anon-1\",\"sentAt\":\"2026-03-01T10:00:01.5+01:00\",\"properties\":{\"n\":12,\"ok\":true}}",
            "  {\"type\":\"track\",\"messageId\":\"m4\"}  ",
            "{\"messageId\":\"m5\",\"type\":\"tr",
            "[1,2]",
            "\"just text\"",
            "{\"messageId\":\"m8\"}",
            "{\"messageId\":\"m9\",\"type\":\"track\",\"properties\":{}}");

    @Test
    void eachFieldIsWhatGetJsonObjectGivesAndBadLinesAreMalformed() throws IOException {
        Path file = workDir("segment-lines").resolve("part-00000.json");
        Files.write(file, String.join("\n", LINES).concat("\n").getBytes(StandardCharsets.UTF_8));
        SnapshotReader reader = new SnapshotReader(spark(), spark().sparkContext().hadoopConfiguration());

        List<String> fields = new ArrayList<>(SnapshotReader.SEGMENT_FIELDS);
        fields.add(SnapshotReader.CORRUPT);
        Dataset<Row> read = reader.readSegment(file.toString()).select(fields.stream().map(f -> col(f)).toArray(Column[]::new));
        List<Column> expected = new ArrayList<>();
        for (String f : SnapshotReader.SEGMENT_FIELDS) {
            expected.add(get_json_object(col("value"), "$." + f).as(f));
        }
        Column valid = get_json_object(col("value"), "$.messageId").isNotNull().and(get_json_object(col("value"), "$.type").isNotNull());
        expected.add(when(valid, lit(null)).otherwise(col("value")).as(SnapshotReader.CORRUPT));
        Dataset<Row> oneCallPerField = spark().read().text(file.toString())
                .where(length(trim(col("value"))).gt(0))
                .select(expected.toArray(Column[]::new));

        assertRows("fields, line by line", rowsOf(oneCallPerField), rowsOf(read));
        // and by hand, the fields a KPI depends on
        List<Object[]> rows = rowsOf(read.select("messageId", "type", "properties", "traits"));
        assertThat(rows).hasSize(LINES.size());
        assertRows("by hand", List.of(
                        row("m1", "track", "{\"plan\":\"pro\",\"seats\":3,\"tags\":[\"a\",\"b\"]}", null),
                        row("m2", "identify", null, "{\"email\":\"a\u00e9@x.com\",\"name\":\"Zo\\\"e\"}"),
                        row("7", "page", "{\"n\":12,\"ok\":true}", null),
                        row("m4", "track", null, null),
                        row(null, null, null, null),
                        row(null, null, null, null),
                        row(null, null, null, null),
                        row("m8", null, null, null),
                        row("m9", "track", "{}", null)),
                rows);
        assertThat(rowsOf(read.where(col(SnapshotReader.CORRUPT).isNotNull()).select("messageId"))).hasSize(4);
    }
}

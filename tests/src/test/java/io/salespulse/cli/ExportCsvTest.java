package io.salespulse.cli;

import io.salespulse.testing.Cli;
import io.salespulse.testing.SparkTestBase;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code export --format csv} writes RFC 4180: a strict reader gets every value back exactly. */
class ExportCsvTest extends SparkTestBase {

    @Test
    void csvExportRoundTripsThroughAStrictRfc4180Reader() throws Exception {
        Path dir = workDir("export-csv");
        String warehouse = dir.resolve("warehouse").toString();
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("name", DataTypes.StringType)
                .add("amount", DataTypes.createDecimalType(18, 2));
        List<org.apache.spark.sql.Row> rows = List.of(
                RowFactory.create(1, "The \"Quoted\" Webinar 17", new java.math.BigDecimal("10.50")),
                RowFactory.create(2, "Comma, Inc.", new java.math.BigDecimal("-3.00")),
                RowFactory.create(3, "two\nlines", null),
                RowFactory.create(4, "Łódź — Zürich ☕", new java.math.BigDecimal("0.01")),
                RowFactory.create(5, "\"", new java.math.BigDecimal("1.00")),
                RowFactory.create(6, "ends with backslash \\", new java.math.BigDecimal("2.00")),
                RowFactory.create(7, "", new java.math.BigDecimal("3.00")),
                RowFactory.create(8, null, new java.math.BigDecimal("4.00")));
        spark().createDataFrame(rows, schema).write().format("delta").save(warehouse + "/gold/tricky");

        Path csv = dir.resolve("tricky.csv");
        Cli.Result r = Cli.run("export", "--table", "gold.tricky", "--out", csv.toString(), "--warehouse", warehouse);
        assertThat(r.code()).as(r.err()).isEqualTo(0);

        String text = Files.readString(csv, StandardCharsets.UTF_8);
        assertThat(text).contains("\"The \"\"Quoted\"\" Webinar 17\"").doesNotContain("\\\"");
        List<List<String>> records = new ArrayList<>();
        CSVFormat strict = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build();
        try (Reader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8); CSVParser parser = CSVParser.parse(in, strict)) {
            assertThat(parser.getHeaderNames()).containsExactly("id", "name", "amount");
            for (CSVRecord rec : parser) {
                assertThat(rec.isConsistent()).as("record %s has 3 fields", rec.getRecordNumber()).isTrue();
                records.add(Arrays.asList(rec.values()));
            }
        }
        // header + one record per Delta row; a null and an empty string are both an empty value
        // to a plain RFC 4180 reader (the empty string is written quoted, "", to tell them apart)
        assertThat(records).containsExactly(
                List.of("1", "The \"Quoted\" Webinar 17", "10.50"),
                List.of("2", "Comma, Inc.", "-3.00"),
                List.of("3", "two\nlines", ""),
                List.of("4", "Łódź — Zürich ☕", "0.01"),
                List.of("5", "\"", "1.00"),
                List.of("6", "ends with backslash \\", "2.00"),
                List.of("7", "", "3.00"),
                List.of("8", "", "4.00"));
        assertThat(text).contains("\n7,\"\",3.00\n").contains("\n8,,4.00\n");
    }
}

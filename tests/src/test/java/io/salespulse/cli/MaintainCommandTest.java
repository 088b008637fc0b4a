package io.salespulse.cli;

import io.salespulse.testing.Cli;
import io.salespulse.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code maintain} compacts small files and vacuums old ones; {@code tables} reports them. */
class MaintainCommandTest extends SparkTestBase {

    @Test
    void maintainCompactsSmallFilesAndVacuumsTheOldOnes() throws IOException {
        Path dir = workDir("maintain");
        String warehouse = dir.resolve("warehouse").toString();
        String table = warehouse + "/silver/fact_example";
        for (int day = 1; day <= 3; day++) { // three nightly appends: three small files
            spark().range(day * 10, day * 10 + 5).selectExpr("id", "'day " + day + "' AS note")
                    .coalesce(1).write().format("delta").mode("append").save(table);
        }
        assertThat(parquetFiles(table)).isEqualTo(3);

        Cli.Result before = Cli.run("tables", "--json", "--warehouse", warehouse);
        assertThat(before.code()).as(before.err()).isEqualTo(0);
        assertThat(before.out()).contains("{\"table\": \"silver.fact_example\", \"version\": 2, \"files\": 3,")
                .contains("\"rows\": 15}");

        Cli.Result r = Cli.run("maintain", "--vacuum-hours", "0", "--warehouse", warehouse);
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("silver.fact_example").contains("3 →      1 live files")
                .contains("maintain: 1 tables, 3 → 1 live files");
        assertThat(parquetFiles(table)).as("old files vacuumed").isEqualTo(1);
        assertThat(spark().read().format("delta").load(table).count()).isEqualTo(15);
        assertThat(spark().read().format("delta").load(warehouse + "/ops/run_log")
                .where("command = 'maintain' AND outcome = 'success'").count()).isEqualTo(1);

        Cli.Result refused = Cli.run("maintain", "--vacuum-hours", "-1", "--warehouse", warehouse);
        assertThat(refused.code()).isEqualTo(2);
    }

    private static long parquetFiles(String table) throws IOException {
        try (Stream<Path> files = Files.walk(Path.of(table))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".parquet") && !p.toString().contains("_delta_log")).count();
        }
    }
}

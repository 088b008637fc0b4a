package io.salespulse.silver;

import io.salespulse.common.TableSpec;
import io.salespulse.testing.Cli;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acceptance: daily incremental runs over generated days (late events, a late FX rate, deletes,
 * full-snapshot absences) leave every silver and gold table equal, row for row, to a rebuild
 * from bronze.
 */
@org.junit.jupiter.api.Tag("slow")
class IncrementalEqualsRebuildTest extends SparkTestBase {

    static final int DAYS = 60;
    /** Daily runs at the end of the 60 days (all 60 with -Dsalespulse.test.dailyRuns=60); the days before load in one run. */
    static final int DAILY = Integer.getInteger("salespulse.test.dailyRuns", 8);

    @Test
    void dailyRunsEqualARebuild() {
        Path dir = workDir("incremental");
        String landing = dir.resolve("landing").toString();
        String warehouse = dir.resolve("warehouse").toString();
        // March's exchange rates land 3 days late (day 53), inside the 8-day daily window
        LocalDate start = LocalDate.of(2026, 1, 10);
        assertThat(Cli.run("datagen", "--out", landing, "--start", start.toString(), "--days", String.valueOf(DAYS),
                "--scale", "0.01", "--seed", "5", "--malformed-rate", "0.002").code()).isEqualTo(0);
        long t0 = System.nanoTime();
        int firstDaily = DAYS - DAILY;
        if (firstDaily > 0) {
            Cli.Result r = Cli.run("run", "--date", start.plusDays(firstDaily - 1).toString(), "--landing", landing, "--warehouse", warehouse);
            assertThat(r.code()).as(r.err()).isEqualTo(0);
        }
        int eventsAdded = 0;
        for (int d = Math.max(firstDaily, 0); d < DAYS; d++) {
            Cli.Result r = Cli.run("run", "--date", start.plusDays(d).toString(), "--landing", landing, "--warehouse", warehouse);
            assertThat(r.code()).as(r.err()).isEqualTo(0);
            eventsAdded += (r.out() + r.err()).contains("fact_activity_daily: adding the events landed after") ? 1 : 0;
        }
        // every daily run took only its new events into fact_activity_daily (none had to compute it whole)
        assertThat(eventsAdded).isEqualTo(DAYS - Math.max(firstDaily, 1));
        System.out.printf("incremental: catch-up + %d daily runs in %.1f s%n", DAILY, (System.nanoTime() - t0) / 1e9);
        Map<String, List<Object[]>> incremental = silver(warehouse);
        List<Object[]> quarantined = quarantine(warehouse);

        Cli.Result rebuild = Cli.run("rebuild", "--date", start.plusDays(DAYS - 1).toString(), "--warehouse", warehouse);
        assertThat(rebuild.code()).as(rebuild.err()).isEqualTo(0);
        Map<String, List<Object[]>> rebuilt = silver(warehouse);

        assertThat(rebuilt.keySet()).containsExactlyElementsOf(incremental.keySet());
        for (String table : incremental.keySet()) {
            if (!table.equals("gold.kpi_alerts")) {
                assertThat(incremental.get(table)).as(table + " is empty").isNotEmpty();
            }
            assertRows(table, rebuilt.get(table), incremental.get(table));
        }
        assertRows("silver quarantine", quarantine(warehouse), quarantined);
    }

    private List<Object[]> quarantine(String warehouse) {
        return rowsOf(spark().read().format("delta").load(warehouse + "/ops/quarantine").where("layer = 'silver'")
                .select("table_name", "record_id", "source_file", "snapshot_date", "reason"));
    }

    private Map<String, List<Object[]>> silver(String warehouse) {
        Map<String, List<Object[]>> out = new LinkedHashMap<>();
        for (TableSpec t : SilverBuild.TABLES) {
            out.put("silver." + t.name(), rowsOf(spark().read().format("delta").load(warehouse + "/silver/" + t.name())));
        }
        for (TableSpec t : io.salespulse.gold.GoldBuild.TABLES) {
            out.put("gold." + t.name(), rowsOf(spark().read().format("delta").load(warehouse + "/gold/" + t.name())));
        }
        return out;
    }
}

package io.salespulse.report;

import io.salespulse.common.TableWriter;
import io.salespulse.gold.Alerts;
import io.salespulse.gold.CampaignKpis;
import io.salespulse.gold.CohortClv;
import io.salespulse.gold.GoldBuild;
import io.salespulse.gold.KpiDaily;
import io.salespulse.gold.RepDaily;
import io.salespulse.notify.FiredAlert;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/** Reads what the dashboard of a date needs from gold and writes the page ({@code reports/D/index.html}). */
public final class Dashboard {

    public static final String PAGE = "index.html";

    private Dashboard() {
    }

    /** Where the run and the DAG publish a date's page: under the warehouse, beside the layers. */
    public static String defaultDir(TableWriter tables, LocalDate date) {
        return tables.location("reports", date.toString());
    }

    /** Reads gold, renders the page into {@code dir} (a local path or any Hadoop URI) and returns the page's path. */
    public static String write(TableWriter tables, LocalDate date, String currency, String dir) {
        String html = DashboardPage.render(load(tables, date, currency));
        Path page = new Path(dir, PAGE);
        try {
            FileSystem fs = page.getFileSystem(tables.spark().sparkContext().hadoopConfiguration());
            // written whole, then renamed over: a reader never sees half a page
            Path tmp = new Path(dir, "." + PAGE + ".tmp");
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                out.write(html.getBytes(StandardCharsets.UTF_8));
            }
            fs.delete(page, false);
            if (!fs.rename(tmp, page)) {
                throw new IOException("rename to " + page + " failed");
            }
            return fs.makeQualified(page).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the dashboard " + page, e);
        }
    }

    public static DashboardData load(TableWriter tables, LocalDate date, String currency) {
        Date d = Date.valueOf(date);
        List<Map<String, Object>> daily = rows(read(tables, KpiDaily.TABLE.name())
                .where(col("kpi_date").between(lit(Date.valueOf(date.minusDays(119))), lit(d))).orderBy("kpi_date"));
        List<Map<String, Object>> cohorts = rows(read(tables, CohortClv.TABLE.name())
                .where(col("acquisition_channel").equalTo("all")).orderBy("cohort_month", "month_offset"));
        List<Map<String, Object>> reps = rows(read(tables, RepDaily.TABLE.name())
                .where(col("kpi_date").between(lit(Date.valueOf(date.minusDays(29))), lit(d)))
                .groupBy("owner_id", "rep_name")
                .agg(sum("leads_created").as("leads_created"), sum("opportunities_created").as("opportunities_created"),
                        sum("won").as("won"), sum("lost").as("lost"), sum("won_amount").as("won_amount"),
                        max(when(col("kpi_date").equalTo(lit(d)), col("win_rate_30d"))).as("win_rate_30d")));
        List<Map<String, Object>> campaigns = rows(read(tables, CampaignKpis.TABLE.name()));
        read(tables, Alerts.TABLE.name()); // the same clear error as the other gold tables when it is missing
        List<FiredAlert> alerts = FiredAlert.onDate(tables, date);
        return new DashboardData(date, currency, daily, cohorts, reps, campaigns, alerts);
    }

    private static Dataset<Row> read(TableWriter tables, String table) {
        if (!tables.exists(GoldBuild.LAYER, table)) {
            throw new IllegalStateException("no gold." + table + " under the warehouse: run a date first");
        }
        return tables.read(GoldBuild.LAYER, table);
    }

    private static List<Map<String, Object>> rows(Dataset<Row> df) {
        String[] names = df.columns();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : df.collectAsList()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < names.length; i++) {
                m.put(names[i], r.get(i));
            }
            out.add(m);
        }
        return out;
    }
}

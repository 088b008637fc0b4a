package io.salespulse.gold;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.negate;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * KPIs over spans of dates: rolling windows ([d - (days - 1), d]) and spans a row is valid for (an
 * open stage). The large inputs go through running totals, linear in their rows: a join of the KPI
 * dates with the rows on a range condition has no better plan in Spark than comparing every date
 * with every row, which for a month of active users is every activity row thirty times over.
 */
final class Windows {

    private static final String DAY = "_day";

    private Windows() {
    }

    /**
     * Every KPI date joined with the rows dated in [d - (days - 1), d]: for a small input whose
     * KPI needs the rows themselves (a median).
     *
     * @param in         the KPI dates (rows that cannot fall in a window of them are dropped first)
     * @param rows       rows with a date column
     * @param dateColumn the rows' date column
     * @param days       window length: 30 means [d-29, d]
     */
    static Dataset<Row> trailing(GoldInputs in, Dataset<Row> rows, String dateColumn, int days) {
        Column window = col(dateColumn).between(date_sub(col("kpi_date"), days - 1), col("kpi_date"));
        return in.dates().join(rows.where(in.within(dateColumn, days - 1)), window, "left");
    }

    /**
     * For every KPI date d, the sum of each value over the rows valid on d, that is with
     * {@code start <= d < endExclusive} (a null end: valid from its start on). Computed as the
     * value added on its start date and taken away on its end date, summed over the days.
     *
     * @param values output column name → the row's value (a number; counts as {@code lit(1L)})
     * @return {@code kpi_date} and one column per value, 0 where no row is valid
     */
    static Dataset<Row> spanSums(GoldInputs in, Dataset<Row> rows, Column start, Column endExclusive, Map<String, Column> values) {
        List<Column> added = new ArrayList<>(List.of(start.as(DAY)));
        List<Column> removed = new ArrayList<>(List.of(endExclusive.as(DAY)));
        for (Map.Entry<String, Column> v : values.entrySet()) {
            added.add(v.getValue().as(v.getKey()));
            removed.add(negate(v.getValue()).as(v.getKey()));
        }
        Column reachesFrom = endExclusive.isNull().or(endExclusive.gt(lit(Date.valueOf(in.from()))));
        Column valid = start.leq(lit(Date.valueOf(in.runDate()))).and(reachesFrom)
                .and(endExclusive.isNull().or(endExclusive.gt(start)));
        return runningTotals(in, changes(rows.where(valid), List.of(struct(added), struct(removed))), values.keySet());
    }

    /**
     * For every KPI date d and each named window length, the number of distinct keys with a row
     * dated in [d - (days - 1), d]. A key's dates cover the KPI dates up to days - 1 after each;
     * consecutive dates at most {@code days} apart make one unbroken run of coverage, so a key
     * adds 1 where a run starts and takes it away the day after the run's last covered date.
     *
     * @param windows      output column name → window length in days
     * @param uniqueByDate the rows are already one per key and date (a table's primary key): no
     *                     shuffle to make them distinct
     */
    static Dataset<Row> distinctKeys(GoldInputs in, Dataset<Row> rows, String keyColumn, String dateColumn,
                                     Map<String, Integer> windows, boolean uniqueByDate) {
        int longest = windows.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        WindowSpec byKey = Window.partitionBy("_key").orderBy("_date");
        Dataset<Row> keyDates = rows.where(in.within(dateColumn, longest - 1).and(col(keyColumn).isNotNull()))
                .select(col(keyColumn).as("_key"), col(dateColumn).as("_date"));
        keyDates = (uniqueByDate ? keyDates : keyDates.distinct())
                .withColumn("_previous", lag("_date", 1).over(byKey))
                .withColumn("_next", lead("_date", 1).over(byKey));
        List<Column> events = new ArrayList<>();
        for (Map.Entry<String, Integer> w : windows.entrySet()) {
            int days = w.getValue();
            Column runStarts = col("_previous").isNull().or(datediff(col("_date"), col("_previous")).gt(days));
            Column runEnds = col("_next").isNull().or(datediff(col("_next"), col("_date")).gt(days));
            List<Column> plus = new ArrayList<>(List.of(when(runStarts, col("_date")).as(DAY)));
            List<Column> minus = new ArrayList<>(List.of(when(runEnds, date_add(col("_date"), days)).as(DAY)));
            for (String name : windows.keySet()) {
                boolean mine = name.equals(w.getKey());
                plus.add(lit(mine ? 1L : 0L).as(name));
                minus.add(lit(mine ? -1L : 0L).as(name));
            }
            events.add(struct(plus));
            events.add(struct(minus));
        }
        return runningTotals(in, changes(keyDates, events), windows.keySet());
    }

    /** Each input row's changes as rows of their own (one scan for all of them); a change with no day is none. */
    private static Dataset<Row> changes(Dataset<Row> rows, List<Column> events) {
        return rows.select(explode(array(events.toArray(Column[]::new))).as("_change")).select("_change.*")
                .where(col(DAY).isNotNull());
    }

    private static Column struct(List<Column> fields) {
        return org.apache.spark.sql.functions.struct(fields.toArray(Column[]::new));
    }

    /**
     * For every KPI date, the total of each value column of {@code changes} over the days on or
     * before it. A change dated before the first computed date counts on that date (only totals
     * from it on are asked for), one after the run date never.
     */
    private static Dataset<Row> runningTotals(GoldInputs in, Dataset<Row> changes, Iterable<String> names) {
        Date from = Date.valueOf(in.from());
        // the days from the first computed date to the run date (one day when none is computed)
        Date to = Date.valueOf(in.runDate().isBefore(in.from()) ? in.from() : in.runDate());
        List<Column> perDay = new ArrayList<>();
        List<Column> totals = new ArrayList<>(List.of(col(DAY).as("kpi_date")));
        // one ordered pass over a few hundred days: the constant partition only names that one group
        WindowSpec upToDay = Window.partitionBy(lit(0)).orderBy(DAY).rowsBetween(Window.unboundedPreceding(), Window.currentRow());
        for (String name : names) {
            perDay.add(sum(name).as(name));
            totals.add(sum(coalesce(col(name), lit(0))).over(upToDay).as(name));
        }
        Dataset<Row> byDay = changes.where(col(DAY).leq(lit(to)))
                .withColumn(DAY, greatest(col(DAY), lit(from)))
                .groupBy(DAY).agg(perDay.get(0), perDay.subList(1, perDay.size()).toArray(Column[]::new));
        Dataset<Row> days = in.dates().sparkSession().range(1).select(explode(sequence(lit(from), lit(to))).as(DAY));
        return days.join(byDay, DAY, "left").select(totals.toArray(Column[]::new))
                .join(in.dates(), "kpi_date", "left_semi");
    }

    /** Safe ratio: null when the denominator is 0 or null (kpis.md), as double. */
    static Column ratio(Column numerator, Column denominator) {
        return when(denominator.isNull().or(denominator.equalTo(0)), lit(null))
                .otherwise(numerator.cast("double").divide(denominator.cast("double")));
    }
}

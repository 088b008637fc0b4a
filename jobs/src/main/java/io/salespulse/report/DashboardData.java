package io.salespulse.report;

import io.salespulse.notify.FiredAlert;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * What the dashboard shows, already read from gold: small enough to render without Spark.
 *
 * @param daily      kpi_daily rows (column → value) for the 120 dates up to {@code date}, oldest first
 * @param cohorts    kpi_cohort_clv rows of the 'all' channel
 * @param reps       per rep over the 30 days up to {@code date}: owner_id, rep_name, leads_created,
 *                   opportunities_created, won, lost, won_amount, win_rate_30d (on the date)
 * @param campaigns  kpi_campaign rows
 * @param alerts     the date's alerts
 */
public record DashboardData(LocalDate date, String currency, List<Map<String, Object>> daily,
                            List<Map<String, Object>> cohorts, List<Map<String, Object>> reps,
                            List<Map<String, Object>> campaigns, List<FiredAlert> alerts) {

    /** The kpi_daily row of the date, or null when gold has no such date. */
    public Map<String, Object> today() {
        for (Map<String, Object> r : daily) {
            if (date.equals(toDate(r.get("kpi_date")))) {
                return r;
            }
        }
        return null;
    }

    static LocalDate toDate(Object v) {
        if (v instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        if (v instanceof LocalDate d) {
            return d;
        }
        return v == null ? null : LocalDate.parse(v.toString());
    }

    static Double number(Object v) {
        return v instanceof Number n ? n.doubleValue() : null;
    }
}

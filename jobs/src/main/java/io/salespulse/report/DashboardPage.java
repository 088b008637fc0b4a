package io.salespulse.report;

import io.salespulse.notify.FiredAlert;
import io.salespulse.report.Formats.Kind;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static io.salespulse.report.DashboardData.number;
import static io.salespulse.report.DashboardData.toDate;
import static io.salespulse.report.Formats.html;

/**
 * The KPI dashboard of one date as one self-contained HTML page: no script, no network, charts as
 * inline SVG. Every tile carries {@code data-kpi} and the exact {@code data-value} it shows, so a
 * browser test can compare the page with gold.kpi_daily.
 */
public final class DashboardPage {

    /** A headline KPI: column, label, how it is formatted. */
    record Tile(String metric, String label, Kind kind) {
    }

    static final List<Tile> TILES = List.of(
            new Tile("leads_created", "Leads created", Kind.COUNT),
            new Tile("avg_lead_quality", "Lead quality (0–1)", Kind.SCORE),
            new Tile("lead_to_opportunity_rate", "Lead → opportunity", Kind.PERCENT),
            new Tile("new_customers", "New customers", Kind.COUNT),
            new Tile("win_rate_30d", "Win rate (30 d)", Kind.PERCENT),
            new Tile("avg_deal_size_30d", "Avg deal size (30 d)", Kind.CURRENCY),
            new Tile("avg_sales_cycle_days_30d", "Sales cycle (30 d)", Kind.DAYS),
            new Tile("open_pipeline_amount", "Open pipeline", Kind.CURRENCY),
            new Tile("net_revenue", "Net revenue", Kind.CURRENCY),
            new Tile("orders", "Orders", Kind.COUNT),
            new Tile("avg_order_value", "Avg order value", Kind.CURRENCY),
            new Tile("active_users", "Active users (DAU)", Kind.COUNT),
            new Tile("mau", "MAU", Kind.COUNT),
            new Tile("revenue_per_user_30d", "Revenue per user (30 d)", Kind.CURRENCY));

    static final List<Tile> TRENDS = List.of(
            new Tile("leads_created", "Leads created", Kind.COUNT),
            new Tile("win_rate_30d", "Win rate (30 d)", Kind.PERCENT),
            new Tile("net_revenue", "Net revenue", Kind.CURRENCY),
            new Tile("avg_order_value", "Avg order value", Kind.CURRENCY),
            new Tile("active_users", "Active users (DAU)", Kind.COUNT));

    private DashboardPage() {
    }

    public static String render(DashboardData d) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>salespulse · ").append(d.date()).append("</title><style>").append(CSS).append("</style></head><body>\n");
        b.append("<header><h1>salespulse</h1><p>KPIs for <strong id=\"kpi-date\">").append(d.date())
                .append("</strong> · amounts in ").append(html(d.currency())).append("</p></header>\n");
        Map<String, Object> today = d.today();
        if (today == null) {
            b.append("<p class=\"empty\">gold.kpi_daily has no row for ").append(d.date()).append(".</p>");
        } else {
            tiles(b, d, today);
        }
        alerts(b, d.alerts());
        trends(b, d);
        cohorts(b, d);
        reps(b, d);
        campaigns(b, d);
        b.append("<footer>Generated from the gold tables; every number is in gold.kpi_daily, kpi_cohort_clv, kpi_rep_daily, "
                + "kpi_campaign and kpi_alerts (docs/kpis.md).</footer>\n</body></html>\n");
        return b.toString();
    }

    private static void tiles(StringBuilder b, DashboardData d, Map<String, Object> today) {
        b.append("<section><h2>Today</h2><div class=\"tiles\">\n");
        for (Tile t : TILES) {
            Double v = number(today.get(t.metric()));
            Double prev7 = trailingMean(d, t.metric(), 7);
            Double prev30 = trailingMean(d, t.metric(), 30);
            b.append("<div class=\"tile\" data-kpi=\"").append(t.metric()).append("\" data-value=\"")
                    .append(v == null ? "" : Double.toString(v)).append("\"><div class=\"label\">").append(html(t.label()))
                    .append("</div><div class=\"value\">").append(html(t.kind().format(v, d.currency()))).append("</div>")
                    .append("<div class=\"change\">").append(change(t.kind().change(v, prev7))).append(" vs prior 7 d · ")
                    .append(change(t.kind().change(v, prev30))).append(" vs prior 30 d</div></div>\n");
        }
        b.append("</div></section>\n");
    }

    private static String change(String text) {
        String cls = text.startsWith("+") ? "up" : text.startsWith("-") ? "down" : "flat";
        return "<span class=\"" + cls + "\">" + html(text) + "</span>";
    }

    /** Mean of the metric over the {@code days} dates before the dashboard's date (nulls skipped). */
    static Double trailingMean(DashboardData d, String metric, int days) {
        LocalDate from = d.date().minusDays(days);
        double sum = 0;
        int n = 0;
        for (Map<String, Object> r : d.daily()) {
            LocalDate day = toDate(r.get("kpi_date"));
            Double v = number(r.get(metric));
            if (v != null && !day.isBefore(from) && day.isBefore(d.date())) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? null : sum / n;
    }

    private static void alerts(StringBuilder b, List<FiredAlert> alerts) {
        b.append("<section><h2>Alerts</h2>");
        if (alerts.isEmpty()) {
            b.append("<p class=\"empty\">No rule fired on this date.</p></section>\n");
            return;
        }
        List<FiredAlert> sorted = new ArrayList<>(alerts);
        sorted.sort(FiredAlert.WORST_FIRST);
        b.append("<table class=\"alerts\"><tr><th>severity</th><th>rule</th><th>subject</th><th>metric</th><th>value</th>"
                + "<th>threshold</th><th>baseline</th></tr>\n");
        for (FiredAlert a : sorted) {
            b.append("<tr class=\"").append(html(a.severity())).append("\"><td>").append(html(a.severity())).append("</td><td>")
                    .append(html(a.ruleId())).append("</td><td>").append(html("company".equals(a.grain()) ? "company-wide"
                            : a.grain() + " " + a.subjectName())).append("</td><td>").append(html(a.metric())).append("</td><td>")
                    .append(plain(a.value())).append("</td><td>").append(plain(a.threshold())).append("</td><td>")
                    .append(plain(a.baseline())).append("</td></tr>\n");
        }
        b.append("</table></section>\n");
    }

    private static String plain(Double v) {
        return v == null ? "–" : String.format(Locale.US, "%,.4g", v);
    }

    private static void trends(StringBuilder b, DashboardData d) {
        b.append("<section><h2>Last 90 days</h2><div class=\"charts\">\n");
        LocalDate from = d.date().minusDays(89);
        for (Tile t : TRENDS) {
            List<LocalDate> days = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            for (Map<String, Object> r : d.daily()) {
                LocalDate day = toDate(r.get("kpi_date"));
                if (!day.isBefore(from) && !day.isAfter(d.date())) {
                    days.add(day);
                    values.add(number(r.get(t.metric())));
                }
            }
            b.append("<figure data-trend=\"").append(t.metric()).append("\"><figcaption>").append(html(t.label()))
                    .append("</figcaption>").append(Svg.line(days, values, v -> t.kind().format(v, d.currency())))
                    .append("</figure>\n");
        }
        b.append("</div></section>\n");
    }

    /** The CLV triangle: cohorts down, months since acquisition across, colour by CLV. */
    private static void cohorts(StringBuilder b, DashboardData d) {
        b.append("<section><h2>Cohort customer lifetime value</h2>");
        if (d.cohorts().isEmpty()) {
            b.append("<p class=\"empty\">No customer acquired yet.</p></section>\n");
            return;
        }
        Map<String, Map<Integer, Double>> clv = new TreeMap<>();
        Map<String, Object> sizes = new TreeMap<>();
        TreeSet<Integer> offsets = new TreeSet<>();
        double max = 0;
        for (Map<String, Object> r : d.cohorts()) {
            String cohort = (String) r.get("cohort_month");
            int offset = ((Number) r.get("month_offset")).intValue();
            Double v = number(r.get("clv"));
            clv.computeIfAbsent(cohort, k -> new TreeMap<>()).put(offset, v);
            sizes.put(cohort, r.get("cohort_size"));
            offsets.add(offset);
            if (v != null) {
                max = Math.max(max, v);
            }
        }
        b.append("<table class=\"heatmap\"><tr><th>cohort</th><th>customers</th>");
        for (int o : offsets) {
            b.append("<th>M").append(o).append("</th>");
        }
        b.append("</tr>\n");
        for (Map.Entry<String, Map<Integer, Double>> e : clv.entrySet()) {
            b.append("<tr><th>").append(html(e.getKey())).append("</th><td>").append(sizes.get(e.getKey())).append("</td>");
            for (int o : offsets) {
                Double v = e.getValue().get(o);
                if (!e.getValue().containsKey(o)) {
                    b.append("<td class=\"none\"></td>");
                } else {
                    double share = v == null || max == 0 ? 0 : v / max;
                    b.append(String.format(Locale.US, "<td style=\"background: rgba(37, 99, 235, %.2f)\"%s>", 0.08 + 0.8 * share,
                                    share > 0.55 ? " class=\"dark\"" : ""))
                            .append(html(Kind.CURRENCY.format(v, d.currency()))).append("</td>");
                }
            }
            b.append("</tr>\n");
        }
        b.append("</table></section>\n");
    }

    private static void reps(StringBuilder b, DashboardData d) {
        b.append("<section><h2>Rep leaderboard (30 days)</h2>");
        List<Map<String, Object>> reps = new ArrayList<>(d.reps());
        reps.sort(Comparator.comparing((Map<String, Object> r) -> number(r.get("won_amount")), Comparator.nullsFirst(Double::compare))
                .thenComparing(r -> number(r.get("won")), Comparator.nullsFirst(Double::compare)).reversed());
        b.append("<table class=\"reps\"><tr><th>#</th><th>rep</th><th>won</th><th>won amount</th><th>lost</th><th>win rate (30 d)</th>"
                + "<th>opportunities</th><th>leads</th></tr>\n");
        int rank = 0;
        for (Map<String, Object> r : reps) {
            b.append("<tr><td>").append(++rank).append("</td><td>").append(html((String) r.get("rep_name"))).append("</td><td>")
                    .append(Kind.COUNT.format(number(r.get("won")), d.currency())).append("</td><td>")
                    .append(html(Kind.CURRENCY.format(number(r.get("won_amount")), d.currency()))).append("</td><td>")
                    .append(Kind.COUNT.format(number(r.get("lost")), d.currency())).append("</td><td>")
                    .append(html(Kind.PERCENT.format(number(r.get("win_rate_30d")), d.currency()))).append("</td><td>")
                    .append(Kind.COUNT.format(number(r.get("opportunities_created")), d.currency())).append("</td><td>")
                    .append(Kind.COUNT.format(number(r.get("leads_created")), d.currency())).append("</td></tr>\n");
        }
        b.append("</table></section>\n");
    }

    private static void campaigns(StringBuilder b, DashboardData d) {
        b.append("<section><h2>Campaigns</h2>");
        List<Map<String, Object>> rows = new ArrayList<>(d.campaigns());
        rows.sort(Comparator.comparing((Map<String, Object> r) -> number(r.get("roi")), Comparator.nullsLast(Comparator.reverseOrder())));
        b.append("<table class=\"campaigns\"><tr><th>campaign</th><th>members</th><th>leads</th><th>customers</th><th>won amount</th>"
                + "<th>cost</th><th>CAC</th><th>ROI</th></tr>\n");
        for (Map<String, Object> r : rows) {
            b.append("<tr><td>").append(html((String) r.get("campaign_name"))).append("</td><td>")
                    .append(Kind.COUNT.format(number(r.get("members")), d.currency())).append("</td><td>")
                    .append(Kind.COUNT.format(number(r.get("leads")), d.currency())).append("</td><td>")
                    .append(Kind.COUNT.format(number(r.get("customers")), d.currency())).append("</td><td>")
                    .append(html(Kind.CURRENCY.format(number(r.get("won_amount")), d.currency()))).append("</td><td>")
                    .append(html(Kind.CURRENCY.format(number(r.get("actual_cost_rc")), d.currency()))).append("</td><td>")
                    .append(html(Kind.CURRENCY.format(number(r.get("cac")), d.currency()))).append("</td><td>")
                    .append(html(Kind.PERCENT.format(number(r.get("roi")), d.currency()))).append("</td></tr>\n");
        }
        b.append("</table></section>\n");
    }

    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#111827;background:#f9fafb}
            header h1{margin:0;font-size:22px}header p{margin:4px 0 16px;color:#4b5563}
            h2{font-size:16px;margin:24px 0 8px;color:#374151}
            .tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px}
            .tile{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:10px 12px}
            .tile .label{font-size:12px;color:#6b7280}.tile .value{font-size:22px;font-weight:600;margin:2px 0}
            .tile .change{font-size:11px;color:#6b7280}.up{color:#047857}.down{color:#b91c1c}.flat{color:#6b7280}
            .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:10px}
            figure{margin:0;background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:8px}
            figcaption{font-size:12px;color:#374151;margin-bottom:4px}svg{width:100%;height:auto}
            table{border-collapse:collapse;background:#fff;font-size:12px}th,td{border:1px solid #e5e7eb;padding:4px 8px;text-align:right}
            th{background:#f3f4f6}td:first-child,th:first-child{text-align:left}.reps td:nth-child(2){text-align:left}
            .heatmap td.dark{color:#fff}.heatmap td.none{background:#f9fafb}
            tr.critical td:first-child{color:#b91c1c;font-weight:600}tr.warning td:first-child{color:#b45309;font-weight:600}
            .empty{color:#6b7280}footer{margin:32px 0 8px;font-size:11px;color:#9ca3af}
            """;
}

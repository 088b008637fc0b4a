package io.salespulse.report;

import io.salespulse.notify.FiredAlert;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The page rendered from hand-made gold rows: formats, changes against the prior days, escaping, self-containment. */
class DashboardPageTest {

    private static final LocalDate DAY = LocalDate.of(2026, 3, 10);

    private static Map<String, Object> daily(String date, long leads, String revenue, Double winRate) {
        Map<String, Object> m = new HashMap<>();
        m.put("kpi_date", Date.valueOf(date));
        m.put("leads_created", leads);
        m.put("net_revenue", new BigDecimal(revenue));
        m.put("win_rate_30d", winRate);
        return m;
    }

    private static DashboardData data() {
        Map<String, Object> rep = new HashMap<>(Map.of("owner_id", "005A", "rep_name", "<Ann & Co>", "won", 3L, "lost", 1L,
                "won_amount", new BigDecimal("4200.000000"), "leads_created", 12L, "opportunities_created", 5L));
        rep.put("win_rate_30d", 0.75);
        Map<String, Object> cohort = Map.of("cohort_month", "2026-02", "month_offset", 1, "cohort_size", 4L, "clv", 310.5);
        Map<String, Object> campaign = new HashMap<>(Map.of("campaign_name", "Webinar", "members", 10L, "leads", 4L, "customers", 1L,
                "won_amount", new BigDecimal("500"), "actual_cost_rc", new BigDecimal("200")));
        campaign.put("cac", 200.0);
        campaign.put("roi", 1.5);
        return new DashboardData(DAY, "EUR",
                List.of(daily("2026-03-01", 4, "900.00", null),      // 9 days before: outside the 7-day window, inside 30
                        daily("2026-03-08", 10, "1000.00", 0.20),
                        daily("2026-03-09", 20, "1500.00", 0.20),
                        daily("2026-03-10", 15, "1234.50", 0.25)),
                List.of(cohort), List.of(rep), List.of(campaign),
                List.of(new FiredAlert(DAY, "leads_drop", "company", "company", "company-wide", "leads_created", 15.0, 16.0, 18.0,
                                -1.5, "warning", "leads_created < baseline_weekday_8w - 4 mad"),
                        new FiredAlert(DAY, "rev", "company", "company", "company-wide", "net_revenue", 1234.5, 2000.0, 4000.0, null,
                                "critical", "net_revenue < 0.5 * trailing_mean_7d")));
    }

    @Test
    void tilesShowTodayAndTheChangeAgainstThePriorDays() {
        String html = DashboardPage.render(data());
        // prior 7 days (03-03..03-09): revenue mean (1000 + 1500) / 2 = 1250 → (1234.5 - 1250) / 1250 = -1.24 %
        // prior 30 days: (900 + 1000 + 1500) / 3 = 1133.33 → +8.93 %
        assertThat(html).contains("data-kpi=\"net_revenue\" data-value=\"1234.5\"><div class=\"label\">Net revenue</div>"
                + "<div class=\"value\">EUR 1,234.50</div><div class=\"change\"><span class=\"down\">-1.2 %</span> vs prior 7 d · "
                + "<span class=\"up\">+8.9 %</span> vs prior 30 d</div>");
        // leads: 15 vs 15 (7 d) and vs 11.33 (30 d)
        assertThat(html).contains("data-kpi=\"leads_created\" data-value=\"15.0\"><div class=\"label\">Leads created</div>"
                + "<div class=\"value\">15</div><div class=\"change\"><span class=\"flat\">±0.0 %</span> vs prior 7 d · "
                + "<span class=\"up\">+32.4 %</span> vs prior 30 d");
        // a rate moves in percentage points: 25 % against 20 %
        assertThat(html).contains("<div class=\"value\">25.0 %</div><div class=\"change\"><span class=\"up\">+5.0 pp</span>");
        // a KPI with no value is a dash, not 0
        assertThat(html).contains("data-kpi=\"mau\" data-value=\"\"><div class=\"label\">MAU</div><div class=\"value\">–</div>");
    }

    @Test
    void sectionsAreEscapedOrderedAndSelfContained() {
        String html = DashboardPage.render(data());
        assertThat(html).contains("&lt;Ann &amp; Co&gt;").doesNotContain("<Ann & Co>");
        assertThat(html.indexOf("<td>rev</td>")).isPositive().isLessThan(html.indexOf("<td>leads_drop</td>"));   // critical first
        assertThat(html).contains("<th>M1</th>").contains("EUR 310.50").contains("<td>Webinar</td>").contains("150.0 %");
        assertThat(html).contains("<figure data-trend=\"net_revenue\">").contains("<polyline");
        // nothing to fetch: no script, no stylesheet or image link, no remote URL but the SVG namespace
        assertThat(html).doesNotContain("<script").doesNotContain(" src=").doesNotContain("<link")
                .doesNotContain("https://");
        assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://");
    }

    @Test
    void aDateWithoutKpisSaysSo() {
        DashboardData empty = new DashboardData(DAY, "USD", List.of(), List.of(), List.of(), List.of(), List.of());
        assertThat(DashboardPage.render(empty)).contains("gold.kpi_daily has no row for 2026-03-10")
                .contains("No rule fired on this date").contains("No customer acquired yet");
    }
}

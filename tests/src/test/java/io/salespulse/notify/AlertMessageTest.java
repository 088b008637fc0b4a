package io.salespulse.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AlertMessageTest {

    private static final LocalDate DAY = LocalDate.of(2026, 2, 9);

    private static FiredAlert alert(String rule, String severity, double value, double threshold, Double baseline, Double mad) {
        return new FiredAlert(DAY, rule, "company", "company", "company-wide", "net_revenue", value, threshold, baseline, mad,
                severity, "net_revenue < " + threshold);
    }

    @Test
    void worstFirstThenFurthestPastTheThreshold() {
        AlertMessage m = new AlertMessage(DAY, List.of(
                alert("a_info", "info", 1, 2, null, null),
                alert("b_warn_small", "warning", 90, 100, null, null),     // 10 % past
                alert("c_crit", "critical", 1234.5, 2000, 4000.0, null),
                alert("d_warn_big", "warning", 10, 100, 105.0, -4.25),      // 90 % past
                new FiredAlert(DAY, "e_rep", "rep", "005A", "Ann Lee", "win_rate_30d", 0.05, 0.1, null, null, "warning",
                        "kpi_rep_daily.win_rate_30d < 0.1")), null);
        assertThat(m.alerts()).extracting(FiredAlert::ruleId)
                .containsExactly("c_crit", "d_warn_big", "e_rep", "b_warn_small", "a_info");
        assertThat(m.subject()).isEqualTo("salespulse: 5 alerts on 2026-02-09 (1 critical, 3 warning, 1 info)");
        List<String> lines = m.text().lines().toList();
        assertThat(lines.get(1)).isEqualTo("[CRITICAL] c_crit (company-wide): net_revenue = 1,234.5, threshold 2,000, "
                + "baseline 4,000 — rule: net_revenue < 2000.0");
        assertThat(lines.get(2)).contains("net_revenue = 10, threshold 100, baseline 105 (-4.3 MAD)");
        assertThat(lines.get(3)).startsWith("[WARNING] e_rep (rep Ann Lee (005A)): win_rate_30d = 0.05, threshold 0.1");
        assertThat(m.text()).doesNotContain("Dashboard");
    }

    @Test
    void webhookBodyHasTextAndTheAlertsAsData() throws Exception {
        AlertMessage m = new AlertMessage(DAY, List.of(alert("r1", "critical", 5, 10, null, null)), "s3a://b/wh/reports/2026-02-09/index.html");
        JsonNode body = new ObjectMapper().readTree(m.json());
        assertThat(body.get("text").asText()).isEqualTo(m.text()).contains("Dashboard: s3a://b/wh/reports/2026-02-09/index.html");
        JsonNode a = body.get("alerts").get(0);
        assertThat(a.get("rule_id").asText()).isEqualTo("r1");
        assertThat(a.get("metric").asText()).isEqualTo("net_revenue");
        assertThat(a.get("value").asDouble()).isEqualTo(5.0);
        assertThat(a.get("threshold").asDouble()).isEqualTo(10.0);
        assertThat(a.get("severity").asText()).isEqualTo("critical");
        assertThat(a.get("kpi_date").asText()).isEqualTo("2026-02-09");
        assertThat(a.get("subject_id").asText()).isEqualTo("company");
        assertThat(a.get("baseline").isNull()).isTrue();
    }

    @Test
    void numbersAreWrittenForPeople() {
        assertThat(AlertMessage.number(1234567.891)).isEqualTo("1,234,570");
        assertThat(AlertMessage.number(0.123456789)).isEqualTo("0.123457");
        assertThat(AlertMessage.number(12.0)).isEqualTo("12");
        assertThat(AlertMessage.number(null)).isEqualTo("n/a");
    }
}

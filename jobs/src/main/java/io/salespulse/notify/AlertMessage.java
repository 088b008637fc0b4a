package io.salespulse.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One message per run and channel: the date's new alerts, worst first, each line naming the
 * rule, the metric, its value, the threshold and the baseline it came from.
 *
 * @param dashboard path or URL of the date's dashboard page, null when there is none
 */
public record AlertMessage(LocalDate date, List<FiredAlert> alerts, String dashboard) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public AlertMessage {
        List<FiredAlert> sorted = new ArrayList<>(alerts);
        sorted.sort(FiredAlert.WORST_FIRST);
        alerts = List.copyOf(sorted);
    }

    /** e.g. {@code salespulse: 3 alerts on 2026-02-09 (1 critical, 2 warning)} */
    public String subject() {
        Map<Integer, Integer> bySeverity = new TreeMap<>();
        for (FiredAlert a : alerts) {
            bySeverity.merge(-io.salespulse.gold.AlertRule.SEVERITIES.indexOf(a.severity()), 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        bySeverity.forEach((rank, n) -> parts.add(n + " " + io.salespulse.gold.AlertRule.SEVERITIES.get(-rank)));
        return String.format("salespulse: %d alert%s on %s (%s)", alerts.size(), alerts.size() == 1 ? "" : "s", date,
                String.join(", ", parts));
    }

    public String text() {
        StringBuilder b = new StringBuilder(subject()).append('\n');
        for (FiredAlert a : alerts) {
            b.append(line(a)).append('\n');
        }
        if (dashboard != null) {
            b.append("Dashboard: ").append(dashboard).append('\n');
        }
        return b.toString();
    }

    /** {@code [CRITICAL] revenue_drop (company-wide): net_revenue = 1200 < threshold 2000 (baseline 4000)} */
    static String line(FiredAlert a) {
        String who = "company".equals(a.grain()) ? "company-wide" : a.grain() + " " + a.subjectName() + " (" + a.subjectId() + ")";
        StringBuilder b = new StringBuilder(String.format("[%s] %s (%s): %s = %s, threshold %s", a.severity().toUpperCase(Locale.ROOT),
                a.ruleId(), who, a.metric(), number(a.value()), number(a.threshold())));
        if (a.baseline() != null) {
            b.append(", baseline ").append(number(a.baseline()));
        }
        if (a.deviationMad() != null) {
            b.append(String.format(Locale.ROOT, " (%+.1f MAD)", a.deviationMad()));
        }
        b.append(" — rule: ").append(a.rule());
        return b.toString();
    }

    /** The webhook body: {@code text} for Slack / Teams / Mattermost, and the alerts as data. */
    public String json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("text", text());
        root.put("kpi_date", date.toString());
        ArrayNode list = root.putArray("alerts");
        for (FiredAlert a : alerts) {
            ObjectNode o = list.addObject();
            o.put("rule_id", a.ruleId());
            o.put("metric", a.metric());
            o.put("value", a.value());
            o.put("threshold", a.threshold());
            o.put("baseline", a.baseline());
            o.put("deviation_mad", a.deviationMad());
            o.put("severity", a.severity());
            o.put("kpi_date", a.kpiDate().toString());
            o.put("grain", a.grain());
            o.put("subject_id", a.subjectId());
            o.put("subject_name", a.subjectName());
            o.put("rule", a.rule());
        }
        if (dashboard != null) {
            root.put("dashboard", dashboard);
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the alert message as JSON", e);
        }
    }

    /** Six significant digits, thousands separated: 1,234.57 / 0.123457 / 12. */
    static String number(Double v) {
        if (v == null) {
            return "n/a";
        }
        if (v.isNaN() || v.isInfinite()) {
            return v.toString();
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros();
        if (d.scale() < 0) {
            d = d.setScale(0);
        }
        return String.format(Locale.ROOT, "%,." + d.scale() + "f", d);
    }
}

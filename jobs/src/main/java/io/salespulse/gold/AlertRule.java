package io.salespulse.gold;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One threshold rule over a company-level daily KPI, written in configuration as
 * {@code id: metric op value severity} or, relative to the metric's mean over the 7 days before,
 * {@code id: metric op factor * trailing_mean_7d severity}. Rules are separated by {@code ;}.
 * Example: {@code revenue_drop: net_revenue < 0.5 * trailing_mean_7d critical}.
 */
public record AlertRule(String id, String metric, String op, double value, boolean relative, String severity) {

    private static final Pattern RULE = Pattern.compile(
            "\\s*([a-z0-9_]+)\\s*:\\s*([a-z0-9_]+)\\s*(<=|>=|<|>)\\s*([0-9.eE+-]+)\\s*(\\*\\s*trailing_mean_7d)?\\s+(info|warning|critical)\\s*");

    public static List<AlertRule> parse(String rules) {
        List<AlertRule> out = new ArrayList<>();
        if (rules == null || rules.isBlank()) {
            return out;
        }
        for (String text : rules.split(";")) {
            if (text.isBlank()) {
                continue;
            }
            Matcher m = RULE.matcher(text.toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new IllegalArgumentException("alert rule '" + text.trim()
                        + "' is not 'id: metric <|<=|>|>= value [* trailing_mean_7d] info|warning|critical'");
            }
            out.add(new AlertRule(m.group(1), m.group(2), m.group(3), Double.parseDouble(m.group(4)), m.group(5) != null,
                    m.group(6)));
        }
        return out;
    }

    /** The threshold as written, for the alert row. */
    public String describe() {
        return metric + " " + op + " " + value + (relative ? " * trailing_mean_7d" : "");
    }
}

package io.salespulse.gold;

import io.salespulse.common.TableSpec;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One threshold rule, written in configuration ({@code alerts.rules}, rules separated by {@code ;}) as
 * <pre>
 *   id: [table.]metric op threshold severity
 *   threshold := number                                 absolute
 *              | factor * trailing_mean_7d              the metric's mean over the 7 days before
 *              | baseline_weekday_Nw [+|- k mad]        median of the same weekday over the N weeks before,
 *                                                       moved by k median absolute deviations
 * </pre>
 * {@code table} is {@code kpi_daily} (the default: one alert per date), {@code kpi_rep_daily} (one
 * alert per rep breaching) or {@code kpi_campaign} (one per campaign; it has no history, so only
 * absolute thresholds). Examples: {@code revenue_drop: net_revenue < 0.5 * trailing_mean_7d critical},
 * {@code leads_drop: leads_created < baseline_weekday_8w - 3 mad warning},
 * {@code rep_win_rate_low: kpi_rep_daily.win_rate_30d < 0.1 warning}.
 *
 * @param weeks for a weekday baseline, how many previous same weekdays it takes
 * @param value the absolute threshold, the factor of the trailing mean, or the signed number of MADs
 */
public record AlertRule(String id, Grain grain, String metric, String op, Baseline baseline, double value, int weeks,
                        String severity) {

    /** What a rule compares the metric with. */
    public enum Baseline {ABSOLUTE, TRAILING_MEAN_7D, WEEKDAY_MEDIAN}

    /** The table a rule watches, and the key that makes one alert per subject. */
    public enum Grain {
        COMPANY("kpi_daily", null, null),
        REP("kpi_rep_daily", "owner_id", "rep_name"),
        CAMPAIGN("kpi_campaign", "campaign_id", "campaign_name");

        private final String table;
        private final String subjectId;
        private final String subjectName;

        Grain(String table, String subjectId, String subjectName) {
            this.table = table;
            this.subjectId = subjectId;
            this.subjectName = subjectName;
        }

        public String table() {
            return table;
        }

        /** Column naming the rep or campaign, null for the company. */
        public String subjectId() {
            return subjectId;
        }

        public String subjectName() {
            return subjectName;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Grain ofTable(String table, String rule) {
            for (Grain g : values()) {
                if (g.table.equals(table)) {
                    return g;
                }
            }
            throw new IllegalArgumentException("alert rule " + rule + ": no KPI table named " + table
                    + " (kpi_daily, kpi_rep_daily or kpi_campaign)");
        }
    }

    public static final List<String> SEVERITIES = List.of("info", "warning", "critical");

    static final String GRAMMAR = "'id: [table.]metric <|<=|>|>= (value | factor * trailing_mean_7d | "
            + "baseline_weekday_Nw [+|- k mad]) info|warning|critical'";

    private static final String NUMBER = "[0-9]+(?:\\.[0-9]+)?(?:e[+-]?[0-9]+)?";
    private static final Pattern RULE = Pattern.compile("\\s*([a-z0-9_]+)\\s*:\\s*(?:([a-z0-9_]+)\\.)?([a-z0-9_]+)\\s*(<=|>=|<|>)\\s*"
            + "(?:(-?" + NUMBER + ")\\s*(\\*\\s*trailing_mean_7d)?"
            + "|baseline_weekday_([0-9]+)w(?:\\s*([+-])\\s*(" + NUMBER + ")\\s*mad)?)"
            + "\\s+(info|warning|critical)\\s*");

    /** Parses the rule list; a malformed rule or a repeated id is an error naming it. */
    public static List<AlertRule> parse(String rules) {
        List<AlertRule> out = new ArrayList<>();
        if (rules == null || rules.isBlank()) {
            return out;
        }
        Set<String> ids = new HashSet<>();
        for (String text : rules.split(";")) {
            if (text.isBlank()) {
                continue;
            }
            Matcher m = RULE.matcher(text.toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new IllegalArgumentException("alert rule '" + text.trim() + "' is not " + GRAMMAR);
            }
            String id = m.group(1);
            if (!ids.add(id)) {
                throw new IllegalArgumentException("alert rule id '" + id + "' is used twice");
            }
            Grain grain = m.group(2) == null ? Grain.COMPANY : Grain.ofTable(m.group(2), id);
            AlertRule rule;
            if (m.group(7) != null) {
                int weeks = Integer.parseInt(m.group(7));
                if (weeks < 2 || weeks > 52) {
                    throw new IllegalArgumentException("alert rule " + id + ": baseline_weekday_" + weeks
                            + "w needs between 2 and 52 weeks");
                }
                double k = m.group(9) == null ? 0 : Double.parseDouble(m.group(9));
                rule = new AlertRule(id, grain, m.group(3), m.group(4), Baseline.WEEKDAY_MEDIAN,
                        "-".equals(m.group(8)) ? -k : k, weeks, m.group(10));
            } else {
                rule = new AlertRule(id, grain, m.group(3), m.group(4),
                        m.group(6) != null ? Baseline.TRAILING_MEAN_7D : Baseline.ABSOLUTE, Double.parseDouble(m.group(5)), 0,
                        m.group(10));
            }
            if (grain == Grain.CAMPAIGN && rule.baseline != Baseline.ABSOLUTE) {
                throw new IllegalArgumentException("alert rule " + id + ": kpi_campaign has one row per campaign and no "
                        + "history, so only an absolute threshold applies");
            }
            out.add(rule);
        }
        return out;
    }

    /**
     * Checks every rule against the tables' declared columns, so a rule naming a missing table or
     * metric stops the run before anything is written.
     */
    public static void validate(List<AlertRule> rules, Map<Grain, TableSpec> tables) {
        for (AlertRule r : rules) {
            TableSpec t = tables.get(r.grain);
            StructField field = null;
            for (StructField f : t.schema().fields()) {
                if (f.name().equals(r.metric)) {
                    field = f;
                }
            }
            if (field == null || !(field.dataType() instanceof NumericType)) {
                throw new IllegalArgumentException("alert rule " + r.id + ": " + t.name() + " has no numeric KPI named "
                        + r.metric + (field == null ? "" : " (it is " + field.dataType().simpleString() + ")"));
            }
        }
    }

    /** The threshold as written, for the alert row and the message. */
    public String describe() {
        String target = (grain == Grain.COMPANY ? "" : grain.table() + ".") + metric + " " + op + " ";
        return switch (baseline) {
            case ABSOLUTE -> target + format(value);
            case TRAILING_MEAN_7D -> target + format(value) + " * trailing_mean_7d";
            case WEEKDAY_MEDIAN -> target + "baseline_weekday_" + weeks + "w"
                    + (value == 0 ? "" : (value < 0 ? " - " : " + ") + format(Math.abs(value)) + " mad");
        };
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}

package io.salespulse.gold;

import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rule grammar, rules per rep and campaign, and the weekday baseline, on hand-worked values. */
class AlertRulesTest extends SparkTestBase {

    private static final Map<AlertRule.Grain, io.salespulse.common.TableSpec> TABLES = Map.of(
            AlertRule.Grain.COMPANY, KpiDaily.TABLE, AlertRule.Grain.REP, RepDaily.TABLE,
            AlertRule.Grain.CAMPAIGN, CampaignKpis.TABLE);

    @Test
    void grammarKeepsTheOldRulesAndAddsTablesAndWeekdayBaselines() {
        List<AlertRule> rules = AlertRule.parse("a: win_rate_30d < 0.15 critical; b: net_revenue < 0.5 * trailing_mean_7d warning;"
                + " c: kpi_rep_daily.win_rate_30d <= 0.1 warning; d: won < baseline_weekday_8w - 3 mad info;"
                + " e: kpi_campaign.roi < -0.25 info; f: leads_created > baseline_weekday_4w critical");
        assertThat(rules).extracting(AlertRule::grain).containsExactly(AlertRule.Grain.COMPANY, AlertRule.Grain.COMPANY,
                AlertRule.Grain.REP, AlertRule.Grain.COMPANY, AlertRule.Grain.CAMPAIGN, AlertRule.Grain.COMPANY);
        assertThat(rules).extracting(AlertRule::baseline).containsExactly(AlertRule.Baseline.ABSOLUTE,
                AlertRule.Baseline.TRAILING_MEAN_7D, AlertRule.Baseline.ABSOLUTE, AlertRule.Baseline.WEEKDAY_MEDIAN,
                AlertRule.Baseline.ABSOLUTE, AlertRule.Baseline.WEEKDAY_MEDIAN);
        assertThat(rules.get(3).weeks()).isEqualTo(8);
        assertThat(rules.get(3).value()).isEqualTo(-3.0);
        assertThat(rules.get(4).value()).isEqualTo(-0.25);
        assertThat(rules).extracting(AlertRule::describe).containsExactly("win_rate_30d < 0.15",
                "net_revenue < 0.5 * trailing_mean_7d", "kpi_rep_daily.win_rate_30d <= 0.1", "won < baseline_weekday_8w - 3 mad",
                "kpi_campaign.roi < -0.25", "leads_created > baseline_weekday_4w");
        AlertRule.validate(rules, TABLES);
    }

    @Test
    void badRulesAreRefusedWithTheirName() {
        assertThatThrownBy(() -> AlertRule.parse("oops: win_rate_30d ~ 1 critical")).hasMessageContaining("'oops: win_rate_30d ~ 1 critical' is not");
        assertThatThrownBy(() -> AlertRule.parse("x: won < 1 info; x: lost > 2 info")).hasMessageContaining("'x' is used twice");
        assertThatThrownBy(() -> AlertRule.parse("t: kpi_weekly.won < 1 info")).hasMessageContaining("no KPI table named kpi_weekly");
        assertThatThrownBy(() -> AlertRule.parse("c: kpi_campaign.roi < 0.5 * trailing_mean_7d info"))
                .hasMessageContaining("kpi_campaign has one row per campaign");
        assertThatThrownBy(() -> AlertRule.parse("w: won < baseline_weekday_1w info")).hasMessageContaining("between 2 and 52 weeks");
        assertThatThrownBy(() -> AlertRule.validate(AlertRule.parse("m: deals_won < 1 info"), TABLES))
                .hasMessageContaining("alert rule m: kpi_daily has no numeric KPI named deals_won");
        assertThatThrownBy(() -> AlertRule.validate(AlertRule.parse("n: kpi_rep_daily.rep_name < 1 info"), TABLES))
                .hasMessageContaining("kpi_rep_daily has no numeric KPI named rep_name (it is string)");
    }

    /**
     * Five weeks from Monday 2026-03-02: weekdays ~10 leads, weekends 1. Mondays 10, 12, 9, 11 then 9;
     * Wednesdays 10, 11, 9, 12 then 3. By hand, week five, 4-week baseline, threshold = median - 2 MAD:
     * Monday: median(9, 10, 11, 12) = 10.5, |x - 10.5| = 0.5, 0.5, 1.5, 1.5 → MAD 1.0, threshold 8.5: 9 passes.
     * Wednesday: same median and MAD; 3 < 8.5 fires, deviation (3 - 10.5) / 1 = -7.5 MAD.
     * Tue/Thu/Fri: 10 every week → median 10, MAD 0, threshold 10: 10 is not below it.
     * Saturday/Sunday: 1 every week → threshold 1: not below. Weeks one to four: fewer than 4 values, no baseline.
     * The same series under "0.8 × 7-day mean" fires on every quiet Saturday: why the weekday rule exists.
     */
    @Test
    void weekdayBaselineFiresOnARealDropNotOnOrdinaryMondaysOrWeekends() {
        double[] mondays = {10, 12, 9, 11, 9};
        double[] wednesdays = {10, 11, 9, 12, 3};
        List<String> values = new ArrayList<>();
        LocalDate monday = LocalDate.of(2026, 3, 2);
        for (int week = 0; week < 5; week++) {
            for (int day = 0; day < 7; day++) {
                double v = switch (day) {
                    case 0 -> mondays[week];
                    case 2 -> wednesdays[week];
                    case 5, 6 -> 1;
                    default -> 10;
                };
                values.add(String.format("(DATE'%s', %s)", monday.plusDays(7L * week + day), (long) v));
            }
        }
        Dataset<Row> daily = spark().sql("SELECT * FROM VALUES " + String.join(",", values) + " AS t(kpi_date, leads_created)");
        List<AlertRule> rules = AlertRule.parse("leads_drop: leads_created < baseline_weekday_4w - 2 mad warning");
        assertRows("weekday alerts", List.<Object[]>of(
                        row(d("2026-04-01"), "leads_drop", "company", "company", "company-wide", "leads_created", 3.0, 8.5, 10.5, -7.5, "warning")),
                rowsOf(Alerts.evaluate(daily, rules).select("kpi_date", "rule_id", "grain", "subject_id", "subject_name", "metric",
                        "value", "threshold", "baseline", "deviation_mad", "severity")));

        // the naive rule: every one of the ten weekend days (Saturday 7, Sunday 1), besides the real drop
        List<Object[]> naive = rowsOf(Alerts.evaluate(daily, AlertRule.parse("naive: leads_created < 0.8 * trailing_mean_7d warning"))
                .where("kpi_date <> DATE'2026-04-01'").selectExpr("dayofweek(kpi_date)"));
        assertThat(naive).hasSize(10);
        assertThat(naive).allSatisfy(r -> assertThat(r[0]).isIn(1, 7));
    }

    @Test
    void repAndCampaignRulesRaiseOneAlertPerSubjectBreaching() {
        Dataset<Row> reps = spark().sql("SELECT * FROM VALUES "
                + "(DATE'2026-03-10', '005A', 'Ann', 0.05), (DATE'2026-03-10', '005B', 'Bob', 0.5), (DATE'2026-03-10', '005C', 'Cy', NULL),"
                + "(DATE'2026-03-11', '005A', 'Ann', 0.2), (DATE'2026-03-11', '005B', 'Bob', 0.08)"
                + " AS t(kpi_date, owner_id, rep_name, win_rate_30d)");
        Dataset<Row> campaigns = spark().sql("SELECT * FROM VALUES (DATE'2026-03-11', '701X', 'Webinar', -0.4), "
                + "(DATE'2026-03-11', '701Y', 'Fair', 1.5), (DATE'2026-03-11', '701Z', 'No cost', NULL) AS t(kpi_date, campaign_id, campaign_name, roi)");
        Dataset<Row> daily = spark().sql("SELECT DATE'2026-03-11' AS kpi_date, 0.3 AS win_rate_30d");
        List<AlertRule> rules = AlertRule.parse("rep_low: kpi_rep_daily.win_rate_30d < 0.1 warning; roi_neg: kpi_campaign.roi < 0 info;"
                + " company_low: win_rate_30d < 0.1 critical");
        assertRows("per-subject alerts", List.of(
                        row(d("2026-03-10"), "rep_low", "rep", "005A", "Ann", 0.05, 0.1),
                        row(d("2026-03-11"), "rep_low", "rep", "005B", "Bob", 0.08, 0.1),
                        row(d("2026-03-11"), "roi_neg", "campaign", "701X", "Webinar", -0.4, 0.0)),
                rowsOf(Alerts.evaluate(Map.of(AlertRule.Grain.COMPANY, daily, AlertRule.Grain.REP, reps,
                        AlertRule.Grain.CAMPAIGN, campaigns), rules).select("kpi_date", "rule_id", "grain", "subject_id",
                        "subject_name", "value", "threshold")));
    }

    private static Date d(String s) {
        return Date.valueOf(s);
    }
}

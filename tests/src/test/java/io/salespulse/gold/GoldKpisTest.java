package io.salespulse.gold;

import io.salespulse.common.TableWriter;
import io.salespulse.silver.DimCustomer;
import io.salespulse.silver.Dimensions;
import io.salespulse.silver.FactActivityDaily;
import io.salespulse.silver.FactCampaignMember;
import io.salespulse.silver.FactLead;
import io.salespulse.silver.FactOpportunity;
import io.salespulse.silver.FactOpportunityStage;
import io.salespulse.silver.FactOrder;
import io.salespulse.common.TableSpec;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sequence;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every KPI family on tiny silver inputs; each expected value was worked out by hand from the
 * rows written in the test (the comments show the arithmetic).
 */
class GoldKpisTest extends SparkTestBase {

    /** A silver table from SQL VALUES with some of its columns; the others are null. */
    private static Dataset<Row> silver(TableSpec t, String columns, String values) {
        Dataset<Row> given = spark().sql("SELECT * FROM VALUES " + values + " AS t(" + columns + ")");
        List<Column> cols = new ArrayList<>();
        List<String> present = List.of(given.columns());
        for (StructField f : t.schema().fields()) {
            cols.add(present.contains(f.name()) ? col(f.name()) : lit(null).cast(f.dataType()).as(f.name()));
        }
        return TableWriter.conform(given.select(cols.toArray(Column[]::new)), t.schema());
    }

    private static Dataset<Row> empty(TableSpec t) {
        return spark().createDataFrame(List.of(), t.schema());
    }

    private static final class Inputs {
        final Map<TableSpec, Dataset<Row>> tables = new HashMap<>();
        String from;
        String to;

        Inputs(String from, String to) {
            this.from = from;
            this.to = to;
        }

        Inputs with(TableSpec t, String columns, String values) {
            tables.put(t, silver(t, columns, values));
            return this;
        }

        GoldInputs build() {
            Dataset<Row> dates = spark().range(1).select(explode(sequence(lit(Date.valueOf(from)), lit(Date.valueOf(to)))).as("kpi_date"));
            Map<TableSpec, Dataset<Row>> silver = new HashMap<>();
            for (TableSpec t : io.salespulse.gold.GoldBuild.SILVER_INPUTS) {
                silver.put(t, get(t));
            }
            return new GoldInputs(dates, LocalDate.parse(from), LocalDate.parse(to), silver, List.of("Closed Won", "Closed Lost"),
                    List.of());
        }

        /** Only the given KPI dates, as an incremental run computes them: the first is {@code from}. */
        GoldInputs buildFor(String... dates) {
            GoldInputs all = build();
            Dataset<Row> some = spark().createDataFrame(java.util.Arrays.stream(dates)
                    .map(s -> org.apache.spark.sql.RowFactory.create(Date.valueOf(s))).toList(),
                    new org.apache.spark.sql.types.StructType().add("kpi_date", org.apache.spark.sql.types.DataTypes.DateType));
            return new GoldInputs(some, LocalDate.parse(dates[0]), all.runDate(), all.tables(), all.closedStages(), all.alertRules());
        }

        private Dataset<Row> get(TableSpec t) {
            return tables.getOrDefault(t, empty(t));
        }
    }

    private static Map<Date, Row> byDate(Dataset<Row> df) {
        Map<Date, Row> out = new HashMap<>();
        for (Row r : df.collectAsList()) {
            out.put(r.getAs("kpi_date"), r);
        }
        return out;
    }

    private static Date d(String s) {
        return Date.valueOf(s);
    }

    @Test
    void leadKpisWithZeroDenominatorsAsNull() {
        GoldInputs in = new Inputs("2026-03-01", "2026-03-05")
                .with(FactLead.TABLE, "lead_id, created_date, name_ok, email_ok, phone_ok, is_converted, converted_date, converted_opportunity_id, became_customer, days_to_customer",
                        "('L1', DATE'2026-03-01', true, true, true, true, DATE'2026-03-02', 'O1', true, 3),"
                                + "('L2', DATE'2026-03-01', false, false, false, true, DATE'2026-03-02', NULL, false, NULL),"
                                + "('L3', DATE'2026-03-01', true, false, false, false, NULL, NULL, false, NULL),"
                                + "('L4', DATE'2026-03-02', true, true, true, true, DATE'2026-03-03', 'O2', true, 2)")
                .with(DimCustomer.TABLE, "account_id, is_customer, is_current, acquisition_date",
                        "('A1', true, true, DATE'2026-03-04'), ('A1', true, false, DATE'2026-03-04'), ('A2', false, true, NULL)")
                .build();
        Map<Date, Row> k = byDate(LeadKpis.daily(in));
        Row d1 = k.get(d("2026-03-01"));
        assertThat((Long) d1.getAs("leads_created")).isEqualTo(3);
        assertThat((Double) d1.getAs("avg_lead_quality")).isEqualTo(4.0 / 9);       // (3/3 + 0/3 + 1/3) / 3
        assertThat((Double) d1.getAs("lead_to_opportunity_rate")).isEqualTo(1.0 / 3); // L1 only
        assertThat((Double) d1.getAs("lead_to_customer_rate")).isEqualTo(1.0 / 3);
        assertThat((Long) k.get(d("2026-03-02")).getAs("leads_converted")).isEqualTo(2);
        Row d4 = k.get(d("2026-03-04"));
        assertThat((Long) d4.getAs("new_customers")).isEqualTo(1);                   // current version only
        assertThat((Double) d4.getAs("avg_days_to_customer")).isEqualTo(2.5);        // L1: 3/1+3, L4: 3/2+2 -> both on 03-04
        Row d5 = k.get(d("2026-03-05"));
        assertThat((Long) d5.getAs("leads_created")).isZero();
        assertThat((Object) d5.getAs("avg_lead_quality")).isNull();
        assertThat((Object) d5.getAs("lead_to_customer_rate")).isNull();
    }

    @Test
    void winRatesDealSizeAndCycleOverThirtyDaysWithALowerMedian() {
        GoldInputs in = new Inputs("2026-03-30", "2026-03-31")
                .with(FactOpportunity.TABLE, "opportunity_id, owner_id, created_date, close_date, is_closed, is_won, amount_rc, sales_cycle_days",
                        // 2026-03-01 is d-29 for d = 03-30 (in) and d-30 for 03-31 (out)
                        "('O1', 'U1', DATE'2026-02-20', DATE'2026-03-01', true, true, 100.0, 9),"
                                + "('O2', 'U1', DATE'2026-03-10', DATE'2026-03-15', true, true, 300.0, 5),"
                                + "('O3', 'U1', DATE'2026-03-10', DATE'2026-03-20', true, false, 600.0, NULL),"
                                + "('O4', 'U2', DATE'2026-03-01', DATE'2026-03-30', true, true, NULL, 29),"
                                + "('O5', 'U2', DATE'2026-03-30', DATE'2026-04-30', false, false, 50.0, NULL),"
                                + "('O6', 'U2', DATE'2026-03-01', DATE'2026-03-31', true, true, 200.0, 30)")
                .build();
        Map<Date, Row> k = byDate(OpportunityKpis.daily(in));
        Row d30 = k.get(d("2026-03-30"));
        // window [03-01, 03-30]: won O1 100, O2 300, O4 0 (blank); lost O3 600
        assertThat((Long) d30.getAs("won")).isEqualTo(1);
        assertThat((Long) d30.getAs("opportunities_created")).isEqualTo(1);
        assertThat((Double) d30.getAs("win_rate_30d")).isEqualTo(0.75);                     // 3 / 4
        assertThat((Double) d30.getAs("win_rate_amount_30d")).isEqualTo(0.4);               // 400 / 1000
        assertThat((Double) d30.getAs("avg_deal_size_30d")).isEqualTo(400.0 / 3);           // (100 + 300 + 0) / 3
        assertThat((Double) d30.getAs("avg_sales_cycle_days_30d")).isEqualTo(43.0 / 3);     // (9 + 5 + 29) / 3
        assertThat((Double) d30.getAs("median_sales_cycle_days_30d")).isEqualTo(9.0);       // 5, 9, 29
        Row d31 = k.get(d("2026-03-31"));
        // window [03-02, 03-31]: won O2, O4, O6; lost O3 -> cycles 5, 29, 30 ... O1 left the window
        assertThat((Double) d31.getAs("win_rate_30d")).isEqualTo(0.75);
        assertThat((Double) d31.getAs("median_sales_cycle_days_30d")).isEqualTo(29.0);
    }

    @Test
    void medianOfAnEvenCountIsTheLowerMiddle() {
        GoldInputs in = new Inputs("2026-03-10", "2026-03-10")
                .with(FactOpportunity.TABLE, "opportunity_id, created_date, close_date, is_closed, is_won, amount_rc, sales_cycle_days",
                        "('O1', DATE'2026-03-01', DATE'2026-03-10', true, true, 1.0, 4),"
                                + "('O2', DATE'2026-03-01', DATE'2026-03-10', true, true, 1.0, 10),"
                                + "('O3', DATE'2026-03-01', DATE'2026-03-10', true, true, 1.0, 2),"
                                + "('O4', DATE'2026-03-01', DATE'2026-03-10', true, true, 1.0, 7),"
                                + "('O5', DATE'2026-03-01', DATE'2026-03-10', true, false, 1.0, NULL),"
                                + "('O6', DATE'2026-03-01', DATE'2026-03-12', false, false, 1.0, NULL)")
                .build();
        Row k = byDate(OpportunityKpis.daily(in)).get(d("2026-03-10"));
        assertThat((Double) k.getAs("median_sales_cycle_days_30d")).isEqualTo(4.0); // 2, 4, 7, 10
        assertThat((Long) k.getAs("won")).isEqualTo(4);
        assertThat((Long) k.getAs("lost")).isEqualTo(1);                             // O6 is still open
    }

    @Test
    void openPipelineUsesTheStageAtTheEndOfEachDay() {
        GoldInputs in = new Inputs("2026-03-01", "2026-03-04")
                .with(FactOpportunityStage.TABLE, "history_id, opportunity_id, stage_name, entered_at, amount_rc, probability, is_closed_stage",
                        "('H1', 'O1', 'Prospecting', TIMESTAMP'2026-03-01 09:00:00', 1000.0, 10, false),"
                                // two rows at the same instant on 03-02: the greater Id is the later one
                                + "('H3', 'O1', 'Proposal', TIMESTAMP'2026-03-02 09:00:00', 1200.0, 50, false),"
                                + "('H2', 'O1', 'Qualification', TIMESTAMP'2026-03-02 09:00:00', 1100.0, 20, false),"
                                + "('H4', 'O1', 'Closed Won', TIMESTAMP'2026-03-03 09:00:00', 1200.0, 100, true),"
                                + "('H5', 'O2', 'Prospecting', TIMESTAMP'2026-03-02 12:00:00', 333.333333, 75, false),"
                                + "('H6', 'O2', 'Negotiation', TIMESTAMP'2026-03-02 18:00:00', NULL, NULL, false)")
                .build();
        Map<Date, Row> k = byDate(OpportunityKpis.daily(in));
        assertThat((BigDecimal) k.get(d("2026-03-01")).getAs("open_pipeline_amount")).isEqualByComparingTo("1000");
        assertThat((BigDecimal) k.get(d("2026-03-01")).getAs("weighted_pipeline_amount")).isEqualByComparingTo("100");
        // 03-02: O1 at H3 (1200 @ 50%), O2 at H6 (blank amount and probability count as 0)
        Row d2 = k.get(d("2026-03-02"));
        assertThat((Long) d2.getAs("open_pipeline_count")).isEqualTo(2);
        assertThat((BigDecimal) d2.getAs("open_pipeline_amount")).isEqualByComparingTo("1200");
        assertThat((BigDecimal) d2.getAs("weighted_pipeline_amount")).isEqualByComparingTo("600");
        // 03-03: O1 closed; O2 still open at 0
        assertThat((Long) k.get(d("2026-03-03")).getAs("open_pipeline_count")).isEqualTo(1);
        assertThat((BigDecimal) k.get(d("2026-03-03")).getAs("open_pipeline_amount")).isEqualByComparingTo("0");
    }

    @Test
    void laterDatesAloneReadTheRowsBeforeThem() {
        // an incremental run computes only 03-08 … 03-31: windows and open stages still reach back
        GoldInputs in = new Inputs("2026-03-08", "2026-03-31")
                .with(FactOrder.TABLE, "order_line_id, order_id, account_id, effective_date, is_counted, is_reduction, quantity, order_total_amount_rc",
                        "('I1', 'X1', 'A1', DATE'2026-03-01', true, false, 2.0, 300.0),"
                                + "('I3', 'X2', 'A2', DATE'2026-03-01', true, false, 1.0, 100.0),"
                                + "('I4', 'X3', 'A1', DATE'2026-03-01', true, true, 1.0, -50.0)")
                .with(FactActivityDaily.TABLE, "activity_date, user_id, signed_up, activated, cancelled",
                        "(DATE'2026-03-01', 'u1', true, false, false),"
                                + "(DATE'2026-03-05', 'u2', true, false, false),"
                                + "(DATE'2026-03-09', 'u2', false, true, false)")
                .with(FactOpportunityStage.TABLE, "history_id, opportunity_id, stage_name, entered_at, amount_rc, probability, is_closed_stage",
                        "('H1', 'O1', 'Prospecting', TIMESTAMP'2026-03-01 09:00:00', 1000.0, 10, false),"
                                + "('H2', 'O1', 'Closed Won', TIMESTAMP'2026-03-10 09:00:00', 1000.0, 100, true),"
                                + "('H3', 'O2', 'Prospecting', TIMESTAMP'2026-03-02 09:00:00', 500.0, 20, false),"
                                + "('H4', 'O2', 'Closed Lost', TIMESTAMP'2026-03-04 09:00:00', 500.0, 0, true)")
                .build();
        Map<Date, Row> rev = byDate(RevenueKpis.daily(in));
        assertThat(rev.keySet()).hasSize(24).doesNotContain(d("2026-03-07"));
        // 03-08: the window [02-07, 03-08] holds 03-01's orders: net 350 over A1 and A2
        assertThat((Long) rev.get(d("2026-03-08")).getAs("paying_customers_30d")).isEqualTo(2);
        assertThat((Double) rev.get(d("2026-03-08")).getAs("revenue_per_paying_customer_30d")).isEqualTo(175.0);
        // mau on 03-08: u1 (03-01) and u2 (03-05); wau [03-02, 03-08]: u2
        assertThat((Long) rev.get(d("2026-03-08")).getAs("mau")).isEqualTo(2);
        assertThat((Long) rev.get(d("2026-03-08")).getAs("wau")).isEqualTo(1);
        assertThat((Long) rev.get(d("2026-03-31")).getAs("mau")).isEqualTo(1);   // [03-02, 03-31]: u2
        Map<Date, Row> opp = byDate(OpportunityKpis.daily(in));
        // O1 open since 03-01 until its close on 03-10; O2 closed on 03-04, before the first date
        assertThat((Long) opp.get(d("2026-03-08")).getAs("open_pipeline_count")).isEqualTo(1);
        assertThat((BigDecimal) opp.get(d("2026-03-09")).getAs("open_pipeline_amount")).isEqualByComparingTo("1000");
        assertThat((Long) opp.get(d("2026-03-10")).getAs("open_pipeline_count")).isZero();
    }

    @Test
    void windowsAndPipelineOnScatteredDatesCountEachUserAccountAndDealOnce() {
        // an incremental run computing eight scattered dates from 03-10 to the run date 04-20
        String[] dates = {"2026-03-10", "2026-03-16", "2026-03-31", "2026-04-01", "2026-04-04", "2026-04-09", "2026-04-10",
                "2026-04-20"};
        GoldInputs in = new Inputs("2026-03-10", "2026-04-20")
                .with(FactActivityDaily.TABLE, "activity_date, user_id, signed_up, activated, cancelled",
                        // u1: 30 days apart twice (02-10 + 30 = 03-12, 03-12 + 30 = 04-11): in every month window;
                        // 02-01 is before any window of a computed date
                        "(DATE'2026-02-01', 'u1', false, false, false), (DATE'2026-02-10', 'u1', false, false, false),"
                                + "(DATE'2026-03-12', 'u1', false, false, false), (DATE'2026-04-11', 'u1', false, false, false),"
                                + "(DATE'2026-03-01', 'u2', false, false, false), (DATE'2026-03-31', 'u2', false, false, false),"
                                // u3: 31 days apart, so out of the month window [03-06, 04-04]
                                + "(DATE'2026-03-05', 'u3', false, false, false), (DATE'2026-04-05', 'u3', false, false, false),"
                                + "(DATE'2026-03-16', 'u4', false, false, false), (DATE'2026-03-16', NULL, false, false, false),"
                                // u5: 7 days apart (in every week window from 04-12); u6: 8 apart, out of [04-03, 04-09]
                                + "(DATE'2026-04-12', 'u5', false, false, false), (DATE'2026-04-19', 'u5', false, false, false),"
                                + "(DATE'2026-04-02', 'u6', false, false, false), (DATE'2026-04-10', 'u6', false, false, false)")
                .with(FactOrder.TABLE, "order_line_id, order_id, account_id, effective_date, is_counted, is_reduction, quantity, order_total_amount_rc",
                        "('I1', 'X1', 'A1', DATE'2026-02-20', true, false, 1.0, 100.0),"
                                + "('I2', 'X2', 'A1', DATE'2026-03-20', true, false, 1.0, 50.0),"
                                + "('I3', 'X3', 'A2', DATE'2026-03-10', true, true, 1.0, -30.0),"
                                + "('I4', 'X4', 'A3', DATE'2026-04-15', true, false, 1.0, 200.0),"
                                + "('I5', 'X5', 'A2', DATE'2026-03-25', true, false, 1.0, 10.0)")
                .with(FactOpportunityStage.TABLE, "history_id, opportunity_id, stage_name, entered_at, amount_rc, probability, is_closed_stage",
                        "('H1', 'O1', 'Prospecting', TIMESTAMP'2026-02-01 09:00:00', 100.0, 10, false),"
                                + "('H2', 'O1', 'Closed Won', TIMESTAMP'2026-04-10 09:00:00', 100.0, 100, true),"
                                + "('H3', 'O2', 'Prospecting', TIMESTAMP'2026-04-20 10:00:00', 50.0, 50, false),"
                                + "('H4', 'O3', 'Proposal', TIMESTAMP'2026-03-01 09:00:00', 10.0, 40, false),"
                                + "('H5', 'O3', 'Negotiation', TIMESTAMP'2026-03-31 09:00:00', 20.0, 60, false)")
                .buildFor(dates);
        Map<Date, Row> rev = byDate(RevenueKpis.daily(in));
        assertThat(rev.keySet()).hasSize(8);
        // mau and wau by hand, per date: [d-29, d] and [d-6, d]
        long[][] expected = {
                {3, 1},   // 03-10: u1 (02-10), u2, u3 | u3 (03-05)
                {4, 2},   // 03-16: u1, u2, u3, u4 | u1 (03-12), u4
                {4, 1},   // 03-31: u1, u2 (03-31), u3, u4 | u2
                {4, 1},   // 04-01: the same | u2
                {4, 2},   // 04-04: u1, u2, u4, u6 (u3's 03-05 has left, 04-05 not yet) | u2, u6 (04-02)
                {5, 1},   // 04-09: u1, u2, u3 (04-05), u4, u6 | u3 (u6's 04-02 has left, 04-10 not yet)
                {5, 2},   // 04-10: u1, u2, u3, u4, u6 | u3, u6
                {5, 1}};  // 04-20: u1 (04-11), u2, u3, u5, u6 (u4 has left) | u5 (04-19)
        for (int i = 0; i < dates.length; i++) {
            Row r = rev.get(d(dates[i]));
            assertThat(new long[]{r.getAs("mau"), r.getAs("wau")}).as(dates[i]).containsExactly(expected[i]);
        }
        // paying accounts (regular orders) and net revenue over [d-29, d]
        assertThat((Long) rev.get(d("2026-03-16")).getAs("paying_customers_30d")).isEqualTo(1);          // A1 (02-20)
        assertThat((Double) rev.get(d("2026-03-16")).getAs("revenue_per_paying_customer_30d")).isEqualTo(70.0); // 100 - 30
        assertThat((Long) rev.get(d("2026-04-04")).getAs("paying_customers_30d")).isEqualTo(2);          // A1 (03-20), A2 (03-25)
        assertThat((Double) rev.get(d("2026-04-04")).getAs("revenue_per_paying_customer_30d")).isEqualTo(15.0); // (50 - 30 + 10) / 2
        assertThat((Double) rev.get(d("2026-04-09")).getAs("revenue_per_paying_customer_30d")).isEqualTo(30.0); // X3 has left: 60 / 2
        assertThat((Long) rev.get(d("2026-04-20")).getAs("paying_customers_30d")).isEqualTo(2);          // A2, A3
        assertThat((Double) rev.get(d("2026-04-20")).getAs("revenue_per_user_30d")).isEqualTo(210.0 / 5);
        Map<Date, Row> opp = byDate(OpportunityKpis.daily(in));
        assertThat(opp.keySet()).hasSize(8);
        // open at the end of d: O1 02-01 … 04-09, O3 from 03-01 (20 from 03-31), O2 from 04-20
        String[][] pipeline = {
                {"2026-03-10", "2", "110", "14"},    // 100 x 10 % + 10 x 40 %
                {"2026-03-31", "2", "120", "22"},    // 10 + 20 x 60 %
                {"2026-04-09", "2", "120", "22"},
                {"2026-04-10", "1", "20", "12"},
                {"2026-04-20", "2", "70", "37"}};    // 12 + 50 x 50 %
        for (String[] p : pipeline) {
            Row r = opp.get(d(p[0]));
            assertThat((Long) r.getAs("open_pipeline_count")).as(p[0]).isEqualTo(Long.parseLong(p[1]));
            assertThat((BigDecimal) r.getAs("open_pipeline_amount")).as(p[0]).isEqualByComparingTo(p[2]);
            assertThat((BigDecimal) r.getAs("weighted_pipeline_amount")).as(p[0]).isEqualByComparingTo(p[3]);
        }
    }

    @Test
    void engagementKpisKeptAsStoredOnDatesTheActivityDoesNotReach() {
        // an incremental run recomputing 03-10, 03-15 and 03-31 (an order's change reaches them), where
        // the activity's changes reach only 03-31: the other two keep their stored engagement KPIs
        GoldInputs all = new Inputs("2026-03-10", "2026-03-31")
                .with(FactOrder.TABLE, "order_line_id, order_id, account_id, effective_date, is_counted, is_reduction, quantity, order_total_amount_rc",
                        "('I1', 'X1', 'A1', DATE'2026-03-05', true, false, 1.0, 100.0)")
                .with(FactActivityDaily.TABLE, "activity_date, user_id, signed_up, activated, cancelled",
                        "(DATE'2026-03-01', 'u3', false, false, false),"
                                + "(DATE'2026-03-20', 'u2', false, false, false),"
                                + "(DATE'2026-03-31', 'u1', true, false, false)")
                .buildFor("2026-03-10", "2026-03-15", "2026-03-31");
        // stored values no computation from these rows gives (03-10 would be 0 active users, mau 1: u3)
        Dataset<Row> kept = spark().sql("SELECT * FROM VALUES "
                + "(DATE'2026-03-10', 7L, 8L, 9L, 1L, 2L, 3L, CAST(0.25 AS DOUBLE)),"
                + "(DATE'2026-03-15', 0L, 4L, 4L, 0L, 0L, 0L, CAST(NULL AS DOUBLE)) "
                + "AS t(kpi_date, active_users, wau, mau, signups, activations, cancellations, activation_rate_7d)");
        Dataset<Row> last = spark().sql("SELECT DATE'2026-03-31' AS kpi_date");
        GoldInputs in = new GoldInputs(all.dates(), all.from(), all.runDate(), all.tables(), all.closedStages(), all.alertRules(),
                new GoldInputs.Engagement(last, LocalDate.parse("2026-03-31"), kept));
        Map<Date, Row> rev = byDate(RevenueKpis.daily(in));
        assertThat(rev.keySet()).hasSize(3);
        Row d10 = rev.get(d("2026-03-10"));
        assertThat(new long[]{d10.getAs("active_users"), d10.getAs("wau"), d10.getAs("mau"), d10.getAs("signups"),
                d10.getAs("activations"), d10.getAs("cancellations")}).containsExactly(7, 8, 9, 1, 2, 3);
        assertThat((Double) d10.getAs("activation_rate_7d")).isEqualTo(0.25);
        assertThat((Double) d10.getAs("stickiness")).isEqualTo(7.0 / 9);
        // the revenue side is computed: X1's 100 over the stored mau
        assertThat((Double) d10.getAs("revenue_per_user_30d")).isEqualTo(100.0 / 9);
        Row d15 = rev.get(d("2026-03-15"));
        assertThat((Object) d15.getAs("stickiness")).as("no active user that day").isNull();
        assertThat((Double) d15.getAs("revenue_per_user_30d")).isEqualTo(25.0);
        // 03-31 computed: u1 that day; u1 and u2 in [03-02, 03-31] (u3's 03-01 has left)
        Row d31 = rev.get(d("2026-03-31"));
        assertThat(new long[]{d31.getAs("active_users"), d31.getAs("wau"), d31.getAs("mau"), d31.getAs("signups")})
                .containsExactly(1, 1, 2, 1);
        assertThat((Double) d31.getAs("stickiness")).isEqualTo(0.5);
        assertThat((Double) d31.getAs("activation_rate_7d")).isEqualTo(0.0);
        assertThat((Double) d31.getAs("revenue_per_user_30d")).isEqualTo(50.0);
    }

    @Test
    void weightedPipelineIsNotRoundedAgain() {
        GoldInputs in = new Inputs("2026-03-01", "2026-03-01")
                .with(FactOpportunityStage.TABLE, "history_id, opportunity_id, stage_name, entered_at, amount_rc, probability, is_closed_stage",
                        "('H1', 'O1', 'Proposal', TIMESTAMP'2026-03-01 09:00:00', 333.333333, 75, false)")
                .build();
        // 333.333333 x 0.75 = 249.99999975
        assertThat((BigDecimal) byDate(OpportunityKpis.daily(in)).get(d("2026-03-01")).getAs("weighted_pipeline_amount"))
                .isEqualByComparingTo("249.99999975");
    }

    @Test
    void revenueCountsReductionsOnlyInNetAndEngagementWindows() {
        GoldInputs in = new Inputs("2026-03-01", "2026-03-31")
                .with(FactOrder.TABLE, "order_line_id, order_id, account_id, effective_date, is_counted, is_reduction, quantity, order_total_amount_rc",
                        "('I1', 'X1', 'A1', DATE'2026-03-01', true, false, 2.0, 300.0),"
                                + "('I2', 'X1', 'A1', DATE'2026-03-01', true, false, 3.0, 300.0),"
                                + "('I3', 'X2', 'A2', DATE'2026-03-01', true, false, 1.0, 100.0),"
                                + "('I4', 'X3', 'A1', DATE'2026-03-01', true, true, 1.0, -50.0),"
                                + "('I5', 'X4', 'A3', DATE'2026-03-01', false, false, 9.0, 999.0),"
                                + "('I6', 'X5', 'A1', DATE'2026-03-31', true, false, 1.0, 20.0)")
                .with(FactActivityDaily.TABLE, "activity_date, user_id, signed_up, activated, cancelled",
                        "(DATE'2026-03-01', 'u1', true, false, false),"
                                + "(DATE'2026-03-01', 'u2', true, false, false),"
                                + "(DATE'2026-03-09', 'u1', false, true, false),"   // d+8: too late for 03-01
                                + "(DATE'2026-03-08', 'u2', false, true, false),"   // d+7: in time
                                + "(DATE'2026-03-25', 'u3', false, false, true),"
                                + "(DATE'2026-03-31', 'u3', false, false, false)")
                .build();
        Map<Date, Row> k = byDate(RevenueKpis.daily(in));
        Row d1 = k.get(d("2026-03-01"));
        assertThat((Long) d1.getAs("orders")).isEqualTo(2);                                // X1, X2 (X3 reduction, X4 draft)
        assertThat((BigDecimal) d1.getAs("units")).isEqualByComparingTo("6");              // 2 + 3 + 1
        assertThat((BigDecimal) d1.getAs("gross_revenue")).isEqualByComparingTo("400");
        assertThat((BigDecimal) d1.getAs("net_revenue")).isEqualByComparingTo("350");
        assertThat((Double) d1.getAs("avg_order_value")).isEqualTo(200.0);
        assertThat((Long) d1.getAs("signups")).isEqualTo(2);
        assertThat((Double) d1.getAs("activation_rate_7d")).isEqualTo(0.5);                // u2 only
        Row d31 = k.get(d("2026-03-31"));
        // window [03-02, 03-31]: only X5 (A1, 20)
        assertThat((Long) d31.getAs("paying_customers_30d")).isEqualTo(1);
        assertThat((Long) d31.getAs("active_users")).isEqualTo(1);
        assertThat((Long) d31.getAs("wau")).isEqualTo(1);                                   // u3
        assertThat((Long) d31.getAs("mau")).isEqualTo(3);                                   // u1, u2, u3 since 03-02
        assertThat((Double) d31.getAs("stickiness")).isEqualTo(1.0 / 3);
        assertThat((Double) d31.getAs("revenue_per_user_30d")).isEqualTo(20.0 / 3);
        assertThat((Double) d31.getAs("revenue_per_paying_customer_30d")).isEqualTo(20.0);
        Row d30 = k.get(d("2026-03-30"));
        // window [03-01, 03-30]: net 350 over A1, A2 and 4 users... u1,u2 (03-01), u1 (03-09), u2 (03-08), u3 (03-25) -> 3
        assertThat((Long) d30.getAs("paying_customers_30d")).isEqualTo(2);
        assertThat((Double) d30.getAs("revenue_per_paying_customer_30d")).isEqualTo(175.0);
        assertThat((Long) d30.getAs("orders")).isZero();
        assertThat((Object) d30.getAs("avg_order_value")).isNull();
        assertThat((Long) k.get(d("2026-03-25")).getAs("cancellations")).isEqualTo(1);
        assertThat((Long) k.get(d("2026-03-08")).getAs("activations")).isEqualTo(1);
        assertThat((Long) k.get(d("2026-03-09")).getAs("activations")).isEqualTo(1);
    }

    @Test
    void cohortClvFillsMonthsWithoutOrdersAndSplitsByChannel() {
        GoldInputs in = new Inputs("2026-01-01", "2026-03-15")
                .with(DimCustomer.TABLE, "account_id, is_current, is_customer, cohort_month, acquisition_channel",
                        "('A1', true, true, '2026-01', 'Web'), ('A2', true, true, '2026-01', 'Partner'), ('A3', true, true, '2026-02', 'Web')")
                .with(FactOrder.TABLE, "order_line_id, order_id, account_id, effective_date, is_counted, is_reduction, order_total_amount_rc",
                        "('1', 'X1', 'A1', DATE'2026-01-05', true, false, 100.0),"
                                + "('2', 'X2', 'A2', DATE'2026-01-20', true, false, 50.0),"
                                + "('3', 'X3', 'A1', DATE'2026-03-02', true, true, -10.0),"   // a credit: revenue, not activity
                                + "('4', 'X4', 'A3', DATE'2026-02-10', true, false, 70.0)")
                .build();
        List<Object[]> rows = rowsOf(CohortClv.build(in).select("cohort_month", "month_offset", "acquisition_channel",
                "cohort_size", "active_customers", "revenue", "cumulative_revenue", "clv", "retention_rate"));
        BigDecimal z = new BigDecimal("0.000000");
        assertRows("cohorts", List.of(
                row("2026-01", 0, "all", 2L, 2L, new BigDecimal("150.000000"), new BigDecimal("150.000000"), 75.0, 1.0),
                row("2026-01", 1, "all", 2L, 0L, z, new BigDecimal("150.000000"), 75.0, 0.0),
                row("2026-01", 2, "all", 2L, 0L, new BigDecimal("-10.000000"), new BigDecimal("140.000000"), 70.0, 0.0),
                row("2026-01", 0, "Web", 1L, 1L, new BigDecimal("100.000000"), new BigDecimal("100.000000"), 100.0, 1.0),
                row("2026-01", 1, "Web", 1L, 0L, z, new BigDecimal("100.000000"), 100.0, 0.0),
                row("2026-01", 2, "Web", 1L, 0L, new BigDecimal("-10.000000"), new BigDecimal("90.000000"), 90.0, 0.0),
                row("2026-01", 0, "Partner", 1L, 1L, new BigDecimal("50.000000"), new BigDecimal("50.000000"), 50.0, 1.0),
                row("2026-01", 1, "Partner", 1L, 0L, z, new BigDecimal("50.000000"), 50.0, 0.0),
                row("2026-01", 2, "Partner", 1L, 0L, z, new BigDecimal("50.000000"), 50.0, 0.0),
                row("2026-02", 0, "all", 1L, 1L, new BigDecimal("70.000000"), new BigDecimal("70.000000"), 70.0, 1.0),
                row("2026-02", 1, "all", 1L, 0L, z, new BigDecimal("70.000000"), 70.0, 0.0),
                row("2026-02", 0, "Web", 1L, 1L, new BigDecimal("70.000000"), new BigDecimal("70.000000"), 70.0, 1.0),
                row("2026-02", 1, "Web", 1L, 0L, z, new BigDecimal("70.000000"), 70.0, 0.0)), rows);
    }

    @Test
    void repGridIsDenseAndCampaignsUseFirstTouch() {
        GoldInputs in = new Inputs("2026-03-01", "2026-03-02")
                .with(Dimensions.SALES_REP, "owner_id, name", "('U1', 'Ada'), ('U2', 'Alan')")
                .with(FactLead.TABLE, "lead_id, created_date, owner_id, first_touch_campaign_id, became_customer",
                        "('L1', DATE'2026-03-01', 'U1', 'C1', true), ('L2', DATE'2026-03-01', 'U1', 'C1', false), ('L3', DATE'2026-03-02', 'U2', NULL, false)")
                .with(FactOpportunity.TABLE, "opportunity_id, owner_id, created_date, close_date, is_closed, is_won, amount_rc, sales_cycle_days, campaign_id",
                        "('O1', 'U1', DATE'2026-02-20', DATE'2026-03-02', true, true, 500.0, 10, 'C1'),"
                                + "('O2', 'U1', DATE'2026-02-20', DATE'2026-03-01', true, false, 100.0, NULL, 'C2')")
                .with(Dimensions.CAMPAIGN, "campaign_id, name, actual_cost_rc", "('C1', 'Webinar', 200.0), ('C2', 'Ads', 0.0), ('C3', 'Idle', NULL)")
                .with(FactCampaignMember.TABLE, "campaign_member_id, campaign_id, has_responded",
                        "('M1', 'C1', true), ('M2', 'C1', false), ('M3', 'C2', false)")
                .build();
        assertRows("reps", List.of(
                        row(d("2026-03-01"), "U1", "Ada", 2L, 0L, 0L, 1L, z(), null, 0.0),
                        row(d("2026-03-01"), "U2", "Alan", 0L, 0L, 0L, 0L, z(), null, null),
                        row(d("2026-03-02"), "U1", "Ada", 0L, 0L, 1L, 0L, new BigDecimal("500.000000"), 10.0, 0.5),
                        row(d("2026-03-02"), "U2", "Alan", 1L, 0L, 0L, 0L, z(), null, null)),
                rowsOf(RepDaily.build(in).select("kpi_date", "owner_id", "rep_name", "leads_created", "opportunities_created", "won",
                        "lost", "won_amount", "avg_sales_cycle_days", "win_rate_30d")));
        assertRows("campaigns", List.of(
                        // C1: cac 200 / 1; roi (500 - 200) / 200
                        row("C1", 2L, 1L, 2L, 1L, 1L, new BigDecimal("500.000000"), 200.0, 1.5),
                        row("C2", 1L, 0L, 0L, 0L, 0L, z(), null, null),
                        row("C3", 0L, 0L, 0L, 0L, 0L, z(), null, null)),
                rowsOf(CampaignKpis.build(in).select("campaign_id", "members", "responders", "leads", "customers",
                        "won_opportunities", "won_amount", "cac", "roi")));
    }

    private static BigDecimal z() {
        return new BigDecimal("0.000000");
    }

    @Test
    void alertRulesFireOnThresholdsAndTrailingMeans() {
        List<AlertRule> rules = AlertRule.parse("low_win: win_rate_30d < 0.15 critical; drop: net_revenue < 0.5 * trailing_mean_7d warning");
        assertThat(rules).extracting(AlertRule::id).containsExactly("low_win", "drop");
        Dataset<Row> daily = spark().sql("SELECT * FROM VALUES "
                + "(DATE'2026-03-01', 0.10, 100.0), (DATE'2026-03-02', 0.20, 100.0), (DATE'2026-03-03', 0.20, 100.0),"
                + "(DATE'2026-03-04', NULL, 49.0) AS t(kpi_date, win_rate_30d, net_revenue)");
        assertRows("alerts", List.of(
                        row(d("2026-03-01"), "low_win", 0.10, 0.15, "critical"),
                        row(d("2026-03-04"), "drop", 49.0, 50.0, "warning")),   // mean of 03-01..03 = 100
                rowsOf(Alerts.evaluate(daily, rules).select("kpi_date", "rule_id", "value", "threshold", "severity")));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AlertRule.parse("oops: win_rate_30d ~ 1 critical"))
                .hasMessageContaining("is not 'id: [table.]metric");
    }
}

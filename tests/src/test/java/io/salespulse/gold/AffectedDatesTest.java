package io.salespulse.gold;

import io.salespulse.silver.DimCustomer;
import io.salespulse.silver.FactOpportunity;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which KPI dates a change reaches, worked by hand from change feeds of silver.fact_opportunity and silver.dim_customer. */
class AffectedDatesTest extends SparkTestBase {

    @Test
    void aChangeReachesTheDatesItsOldAndNewVersionCountIn() {
        Dataset<Row> changes = spark().sql("SELECT opportunity_id, CAST(created_date AS DATE) created_date, "
                + "CAST(close_date AS DATE) close_date, is_closed, is_won, CAST(amount_rc AS DECIMAL(38,6)) amount_rc, "
                + "sales_cycle_days, owner_id, stage_name, _change_type, CAST(_commit_version AS BIGINT) _commit_version FROM VALUES "
                // O1 won on 03-20: its created date, and the 30-day windows from 03-20 up to the run date
                + "('O1', '2026-02-01', '2026-03-25', false, false, 100.0, NULL, 'U1', 'Proposal', 'update_preimage', 7),"
                + "('O1', '2026-02-01', '2026-03-20', true, true, 100.0, 47, 'U1', 'Closed Won', 'update_postimage', 7),"
                // O2 changed a column no dated KPI reads: it reaches nothing
                + "('O2', '2026-01-15', '2026-04-01', false, false, 50.0, NULL, 'U1', 'Prospecting', 'update_preimage', 7),"
                + "('O2', '2026-01-15', '2026-04-01', false, false, 50.0, NULL, 'U1', 'Qualification', 'update_postimage', 7),"
                // O3 is new and open: its created date only
                + "('O3', '2026-03-22', '2026-05-01', false, false, 10.0, NULL, 'U2', 'Prospecting', 'insert', 8),"
                // O4, lost before the first KPI date, is deleted: the part of its window from the first date
                + "('O4', '2025-12-01', '2025-12-10', true, false, 5.0, NULL, 'U2', 'Closed Lost', 'delete', 8),"
                // commit 9 wrote the table whole: each row deleted and inserted again. O5 as it was,
                // O7 with a column no dated KPI reads: nothing; O6 with another owner: its created date
                + "('O5', '2026-03-01', '2026-04-01', false, false, 20.0, NULL, 'U1', 'Prospecting', 'delete', 9),"
                + "('O5', '2026-03-01', '2026-04-01', false, false, 20.0, NULL, 'U1', 'Prospecting', 'insert', 9),"
                + "('O7', '2026-03-05', '2026-04-01', false, false, 30.0, NULL, 'U1', 'Prospecting', 'delete', 9),"
                + "('O7', '2026-03-05', '2026-04-01', false, false, 30.0, NULL, 'U1', 'Negotiation', 'insert', 9),"
                + "('O6', '2026-01-25', '2026-04-01', false, false, 40.0, NULL, 'U1', 'Prospecting', 'delete', 9),"
                + "('O6', '2026-01-25', '2026-04-01', false, false, 40.0, NULL, 'U2', 'Prospecting', 'insert', 9) "
                + "AS t(opportunity_id, created_date, close_date, is_closed, is_won, amount_rc, sales_cycle_days, owner_id, "
                + "stage_name, _change_type, _commit_version)");
        List<LocalDate> dates = reached(changes, FactOpportunity.TABLE, "2026-01-01", "2026-03-22");
        assertThat(dates).containsExactly(
                LocalDate.parse("2026-01-01"), LocalDate.parse("2026-01-02"), LocalDate.parse("2026-01-03"),
                LocalDate.parse("2026-01-04"), LocalDate.parse("2026-01-05"), LocalDate.parse("2026-01-06"),
                LocalDate.parse("2026-01-07"), LocalDate.parse("2026-01-08"),   // O4: 12-10 + 29 days = 01-08
                LocalDate.parse("2026-01-25"),                                   // O6 moved to another owner
                LocalDate.parse("2026-02-01"),                                   // O1 created
                LocalDate.parse("2026-03-20"), LocalDate.parse("2026-03-21"), LocalDate.parse("2026-03-22")); // O1 won, O3 created
    }

    @Test
    void aCustomersNewVersionReachesNothingWhileItsAcquisitionStays() {
        // dim_customer written whole (commit 5): every row deleted and inserted again; the dated KPIs
        // count current customers per acquisition date (new_customers), whichever version is current
        Dataset<Row> changes = spark().sql("SELECT CAST(customer_key AS BIGINT) customer_key, account_id, is_current, is_customer, "
                + "CAST(acquisition_date AS DATE) acquisition_date, _change_type, CAST(_commit_version AS BIGINT) _commit_version FROM VALUES "
                // A1 got a new version (another owner): its old row stops being current, the new one is: nothing
                + "(11, 'A1', true, true, '2026-02-10', 'delete', 5),"
                + "(11, 'A1', false, true, '2026-02-10', 'insert', 5),"
                + "(12, 'A1', true, true, '2026-02-10', 'insert', 5),"
                // A2 became a customer: its acquisition date
                + "(21, 'A2', true, false, NULL, 'delete', 5),"
                + "(21, 'A2', true, true, '2026-03-01', 'insert', 5),"
                // A3's acquisition moved earlier (a late order): the old date and the new one
                + "(31, 'A3', true, true, '2026-03-05', 'delete', 5),"
                + "(31, 'A3', true, true, '2026-02-20', 'insert', 5),"
                // A4 as it was: nothing
                + "(41, 'A4', true, true, '2026-01-15', 'delete', 5),"
                + "(41, 'A4', true, true, '2026-01-15', 'insert', 5) "
                + "AS t(customer_key, account_id, is_current, is_customer, acquisition_date, _change_type, _commit_version)");
        List<LocalDate> dates = reached(changes, DimCustomer.TABLE, "2026-01-01", "2026-03-31");
        assertThat(dates).containsExactly(LocalDate.parse("2026-02-20"), LocalDate.parse("2026-03-01"), LocalDate.parse("2026-03-05"));
    }

    /** The KPI dates first … runDate that the changes of one table reach, ascending. */
    private static List<LocalDate> reached(Dataset<Row> changes, io.salespulse.common.TableSpec table, String first, String runDate) {
        return AffectedDates.reachedDates(changes, table, AffectedDates.REACH.get(table), LocalDate.parse(first), LocalDate.parse(runDate))
                .distinct().orderBy("kpi_date").collectAsList().stream().map(r -> r.getDate(0).toLocalDate()).toList();
    }
}

package io.salespulse.silver;

import io.salespulse.ingest.SourceObject;
import io.salespulse.testing.Bronze;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The leads and campaign members a night reaches, worked by hand: silver was computed through
 * March 1, and the rows dated March 2 are new.
 */
class LeadIncrementTest extends SparkTestBase {

    private static final LocalDate APPLIED = LocalDate.of(2026, 3, 1);
    private static final String[] LEAD = {"Id", "IsDeleted", "CreatedDate", "SystemModstamp", "LastName", "Status"};
    private static final String[] MEMBER = {"Id", "IsDeleted", "CreatedDate", "SystemModstamp", "CampaignId", "LeadId"};

    private static Bronze leads() {
        return Bronze.of(LEAD)
                .row("2026-02-27", "L1", "false", "2026-02-27T10:00:00Z", "2026-02-27T10:00:00Z", "One", "Open")
                .row("2026-02-27", "L2", "false", "2026-02-27T11:00:00Z", "2026-02-27T11:00:00Z", "Two", "Open")
                .row("2026-02-28", "L3", "false", "2026-02-28T09:00:00Z", "2026-02-28T09:00:00Z", "Three", "Open")
                .row("2026-02-28", "L4", "false", "2026-02-28T10:00:00Z", "2026-02-28T10:00:00Z", "Four", "Open")
                .row("2026-02-28", "L5", "false", "2026-02-28T11:00:00Z", "2026-02-28T11:00:00Z", "Five", "Converted")
                // tonight: a new version of L1
                .row("2026-03-02", "L1", "false", "2026-02-27T10:00:00Z", "2026-03-02T08:00:00Z", "One", "Working");
    }

    private static Bronze members() {
        return Bronze.of(MEMBER)
                .row("2026-02-27", "M1", "false", "2026-02-27T12:00:00Z", "2026-02-27T12:00:00Z", "C1", "L2")
                .row("2026-02-28", "M2", "false", "2026-02-28T12:00:00Z", "2026-02-28T12:00:00Z", "C1", "L3")
                // tonight: M2 moves from L3 to L4 (both leads' first touch may change), and a row without
                // its required CampaignId, which cannot be typed and reaches nothing
                .row("2026-03-02", "M2", "false", "2026-02-28T12:00:00Z", "2026-03-02T09:00:00Z", "C1", "L4")
                .row("2026-03-02", "M3", "false", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", null, "L2");
    }

    @Test
    void aNightReachesItsLeadsTheLeadsItsMembershipsNameAndTheLeadsWhoseCustomerMoved() {
        List<Dataset<Row>> pinned = new ArrayList<>();
        // the acquisitions moved L1's and L5's outcome: L1 is reached by its new version anyway
        LeadIncrement reached = LeadIncrement.reach(APPLIED, leads().frame(), members().frame(), Set.of("L1", "L5"), pinned);

        assertThat(reached.members).containsExactly("M2");
        // L2 is reached by nothing: M1 did not change, and M3 could not be typed
        assertThat(reached.leads).containsExactly("L1", "L3", "L4", "L5");
        assertThat(reached.byAcquisition).isEqualTo(1);
        assertThat(reached.versions(SourceObject.LEAD).select("id").as(Encoders.STRING()).collectAsList())
                .containsExactlyInAnyOrder("L1", "L1", "L3", "L4", "L5");
        assertThat(reached.versions(SourceObject.CAMPAIGN_MEMBER).select("id").as(Encoders.STRING()).collectAsList())
                .containsExactlyInAnyOrder("M2", "M2");
        assertThat(reached.landed(SourceObject.CAMPAIGN_MEMBER).where(col("_error").isNotNull()).count()).isEqualTo(1);

        assertThat(reached.replacement(FactLead.TABLE).predicate()).isEqualTo("lead_id IN ('L1', 'L3', 'L4', 'L5')");
        assertThat(reached.replacement(FactCampaignMember.TABLE).predicate()).isEqualTo("campaign_member_id IN ('M2')");
        assertThat(reached.quarantineKept()).isEqualTo("t.table_name IN ('salesforce_lead', 'salesforce_campaign_member')"
                + " OR (t.table_name = 'fact_lead' AND NOT t.record_id IN ('L1', 'L3', 'L4', 'L5'))"
                + " OR (t.table_name = 'fact_campaign_member' AND NOT t.record_id IN ('M2'))");
        io.salespulse.common.Frames.unpersistAll(pinned);
    }

    @Test
    void aNightWithNoNewRowReplacesNothing() {
        Bronze before = Bronze.of(LEAD)
                .row("2026-02-27", "L1", "false", "2026-02-27T10:00:00Z", "2026-02-27T10:00:00Z", "One", "Open");
        LeadIncrement reached = LeadIncrement.reach(APPLIED, before.frame(), Bronze.of(MEMBER).frame(), Set.of(), new ArrayList<>());
        assertThat(reached.leads).isEmpty();
        assertThat(reached.replacement(FactLead.TABLE).predicate()).isEqualTo("false");
        assertThat(reached.replacement(FactCampaignMember.TABLE).predicate()).isEqualTo("false");
    }

    @Test
    void theLeadsWhoseConversionOutcomeTheAcquisitionsNowGiveDifferently() {
        Dataset<Row> stored = spark().sql("SELECT * FROM VALUES "
                // A1 acquired March 5, as stored: unchanged
                + "('L1', DATE'2026-03-01', 'A1', true, true, 4),"
                // A2 was acquired March 11 and now March 3: 10 days become 2
                + "('L2', DATE'2026-03-01', 'A2', true, true, 10),"
                // A3 was no customer and now is, since after L3 was created
                + "('L3', DATE'2026-03-02', 'A3', true, false, null),"
                // A4 was a customer and is none now (its order or the account gone)
                + "('L4', DATE'2026-03-01', 'A4', true, true, 1),"
                // A5 acquired before L5 was created, as before: unchanged
                + "('L5', DATE'2026-03-10', 'A5', true, false, null),"
                // never converted: no account, unchanged
                + "('L6', DATE'2026-03-01', null, false, false, null),"
                // A2's acquisition moved before L7 was created: L7 no longer made A2 a customer
                + "('L7', DATE'2026-03-05', 'A2', true, true, 6)"
                + " AS t(lead_id, created_date, converted_account_id, is_converted, became_customer, days_to_customer)");
        Dataset<Row> acquisitions = spark().sql("SELECT * FROM VALUES "
                + "('A1', DATE'2026-03-05'), ('A2', DATE'2026-03-03'), ('A3', DATE'2026-03-04'), ('A5', DATE'2026-03-05')"
                + " AS t(account_id, acquisition_date)");
        assertThat(FactLead.outcomeMoved(stored, acquisitions).as(Encoders.STRING()).collectAsList())
                .containsExactlyInAnyOrder("L2", "L3", "L4", "L7");
    }
}

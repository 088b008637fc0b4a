package io.salespulse.silver;

import io.salespulse.ingest.SourceObject;
import io.salespulse.testing.Bronze;
import io.salespulse.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The records a night's opportunity rows reach, worked by hand: silver was computed through
 * March 1, and the rows dated March 2 are new.
 */
class OpportunityIncrementTest extends SparkTestBase {

    private static final LocalDate APPLIED = LocalDate.of(2026, 3, 1);
    private static final String[] OPPORTUNITY = {"Id", "IsDeleted", "CreatedDate", "SystemModstamp", "StageName", "CloseDate"};
    private static final String[] HISTORY = {"Id", "IsDeleted", "CreatedDate", "SystemModstamp", "OpportunityId", "StageName"};

    private static Bronze opportunities() {
        return Bronze.of(OPPORTUNITY)
                .row("2026-02-27", "O1", "false", "2026-02-27T10:00:00Z", "2026-02-27T10:00:00Z", "Prospecting", "2026-04-30")
                .row("2026-02-27", "O2", "false", "2026-02-27T11:00:00Z", "2026-02-27T11:00:00Z", "Prospecting", "2026-04-30")
                .row("2026-02-28", "O3", "false", "2026-02-28T09:00:00Z", "2026-02-28T09:00:00Z", "Prospecting", "2026-05-31")
                // tonight: a new version of O1
                .row("2026-03-02", "O1", "false", "2026-02-27T10:00:00Z", "2026-03-02T08:00:00Z", "Negotiation", "2026-04-30");
    }

    private static Bronze history() {
        return Bronze.of(HISTORY)
                .row("2026-02-27", "H1", "false", "2026-02-27T11:00:00Z", "2026-02-27T11:00:00Z", "O2", "Prospecting")
                .row("2026-02-28", "H2", "false", "2026-02-28T12:00:00Z", "2026-02-28T12:00:00Z", "O2", "Qualification")
                .row("2026-02-28", "H3", "false", "2026-02-28T09:00:00Z", "2026-02-28T09:00:00Z", "O3", "Prospecting")
                // tonight: O2 enters a new stage (ending H2's interval), and a row that cannot be typed
                .row("2026-03-02", "H4", "false", "2026-03-02T09:00:00Z", "2026-03-02T09:00:00Z", "O2", "Closed Won")
                .row("2026-03-02", "H5", "false", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", null, "Closed Won");
    }

    @Test
    void aNightReachesTheOpportunitiesItsRowsNameAndEveryHistoryRowOfThem() {
        List<org.apache.spark.sql.Dataset<org.apache.spark.sql.Row>> pinned = new ArrayList<>();
        OpportunityIncrement reached = OpportunityIncrement.reach(APPLIED, opportunities().frame(), history().frame(), pinned);

        // O1 has a new version, O2 a new history row; O3 and its history are not reached
        assertThat(reached.opportunities).containsExactly("O1", "O2");
        assertThat(reached.history).containsExactly("H1", "H2", "H4");
        // every version of the reached records (O1 twice), and the night's rows with the one that cannot be typed
        assertThat(reached.versions(SourceObject.OPPORTUNITY).select("id").as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList()).containsExactlyInAnyOrder("O1", "O1", "O2");
        assertThat(reached.landed(SourceObject.OPPORTUNITY_HISTORY).where(col("_error").isNotNull()).count()).isEqualTo(1);

        assertThat(reached.replacement(FactOpportunity.TABLE).predicate()).isEqualTo("opportunity_id IN ('O1', 'O2')");
        assertThat(reached.replacement(FactOpportunityStage.TABLE).predicate()).isEqualTo("history_id IN ('H1', 'H2', 'H4')");
        assertThat(reached.quarantineKept()).isEqualTo("t.table_name IN ('salesforce_opportunity', 'salesforce_opportunity_history')"
                + " OR (t.table_name = 'fact_opportunity' AND NOT t.record_id IN ('O1', 'O2'))"
                + " OR (t.table_name = 'fact_opportunity_stage' AND NOT t.record_id IN ('H1', 'H2', 'H4'))");
        io.salespulse.common.Frames.unpersistAll(pinned);
    }

    @Test
    void anOpportunityReachedByANewRateBringsItsHistoryRows() {
        // O3's amount converts at a rate that changed: O3 and its history row H3 join the night's records
        OpportunityIncrement reached = OpportunityIncrement.reach(APPLIED, opportunities().frame(), history().frame(),
                java.util.Set.of("O3"), java.util.Set.of(), new ArrayList<>());
        assertThat(reached.opportunities).containsExactly("O1", "O2", "O3");
        assertThat(reached.history).containsExactly("H1", "H2", "H3", "H4");
    }

    @Test
    void aNightWithNoNewRowReplacesNothing() {
        Bronze before = Bronze.of(OPPORTUNITY)
                .row("2026-02-27", "O1", "false", "2026-02-27T10:00:00Z", "2026-02-27T10:00:00Z", "Prospecting", "2026-04-30");
        OpportunityIncrement reached = OpportunityIncrement.reach(APPLIED, before.frame(), Bronze.of(HISTORY).frame(), new ArrayList<>());
        assertThat(reached.opportunities).isEmpty();
        assertThat(reached.replacement(FactOpportunity.TABLE).predicate()).isEqualTo("false");
        assertThat(reached.replacement(FactOpportunityStage.TABLE).predicate()).isEqualTo("false");
    }

    @Test
    void aReachedHistoryRowThatNamedAnotherOpportunityHasBothTablesComputedWhole() {
        // H6 named O2 first, then O3: reached through O2, its versions name O3, which the night did not reach
        Bronze moved = history()
                .row("2026-02-27", "H6", "false", "2026-02-27T12:00:00Z", "2026-02-27T12:00:00Z", "O2", "Prospecting")
                .row("2026-02-28", "H6", "false", "2026-02-27T12:00:00Z", "2026-02-28T13:00:00Z", "O3", "Prospecting");
        assertThatThrownBy(() -> OpportunityIncrement.reach(APPLIED, opportunities().frame(), moved.frame(), new ArrayList<>()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("a history row reached names 1 other opportunities");
    }
}

package io.salespulse.silver;

import io.salespulse.ingest.SourceObject;
import io.salespulse.intermediate.CurrentState;
import io.salespulse.staging.Staging;
import io.salespulse.testing.Bronze;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/** Which version of a record is current, and when a record is deleted or revived (docs/landing.md). */
class CurrentStateTest extends SparkTestBase {

    private static final String[] PRODUCT = {"Id", "IsDeleted", "CreatedDate", "SystemModstamp", "Name"};

    private static Dataset<Row> staged(Bronze b) {
        return Staging.stage(b.frame(), Staging.MODELS.get(SourceObject.PRODUCT)).where(col("_error").isNull());
    }

    private static Dataset<Row> noFullSnapshots() {
        return spark().createDataFrame(List.of(), fullSchema());
    }

    private static StructType fullSchema() {
        return new StructType().add("snapshot_date", DataTypes.DateType).add("extracted_at", DataTypes.TimestampType);
    }

    private static List<Object[]> live(Dataset<Row> staged, Dataset<Row> full) {
        return rowsOf(CurrentState.live(staged, full).select("id", "name"));
    }

    @Test
    void greatestModstampWinsThenLaterSnapshotThenLaterRow() {
        Bronze b = Bronze.of(PRODUCT)
                // P1: the newest modstamp wins even though it landed first
                .row("2026-03-01", "P1", "false", "2026-03-01T09:00:00Z", "2026-03-01T12:00:00Z", "newest")
                .row("2026-03-02", "P1", "false", "2026-03-01T09:00:00Z", "2026-03-01T11:00:00Z", "older")
                // P2: same modstamp in two snapshots: the later snapshot wins
                .row("2026-03-01", "P2", "false", "2026-03-01T09:00:00Z", "2026-03-01T10:00:00Z", "first snapshot")
                .row("2026-03-02", "P2", "false", "2026-03-01T09:00:00Z", "2026-03-01T10:00:00.000+0000", "second snapshot")
                // P3: same modstamp twice in one snapshot: the later row wins
                .row("2026-03-01", "P3", "false", "2026-03-01T09:00:00Z", "2026-03-01T10:00:00Z", "earlier row")
                .row("2026-03-01", "P3", "false", "2026-03-01T09:00:00Z", "2026-03-01T10:00:00Z", "later row");
        assertRows("current versions", List.<Object[]>of(row("P1", "newest"), row("P2", "second snapshot"), row("P3", "later row")),
                live(staged(b), noFullSnapshots()));
    }

    @Test
    void deletedRecordVanishesAndALaterVersionRevivesIt() {
        Bronze b = Bronze.of(PRODUCT)
                .row("2026-03-01", "P1", "false", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "kept")
                .row("2026-03-01", "P2", "false", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "deleted")
                .row("2026-03-02", "P2", "true", "2026-03-01T09:00:00Z", "2026-03-02T09:00:00Z", "deleted")
                .row("2026-03-01", "P3", "false", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "revived")
                .row("2026-03-02", "P3", "true", "2026-03-01T09:00:00Z", "2026-03-02T09:00:00Z", "revived")
                .row("2026-03-03", "P3", "false", "2026-03-01T09:00:00Z", "2026-03-03T09:00:00Z", "revived v3");
        assertRows("live", List.<Object[]>of(row("P1", "kept"), row("P3", "revived v3")), live(staged(b), noFullSnapshots()));
    }

    @Test
    void absenceFromALaterFullSnapshotDeletesUntilANewerVersionArrives() {
        Bronze b = Bronze.of(PRODUCT)
                .row("2026-03-01", "P1", "false", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "in both")
                .row("2026-03-01", "P2", "false", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "dropped")
                .row("2026-03-01", "P3", "false", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "dropped then back")
                .row("2026-03-01", "P4", "false", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "stale return")
                // full snapshot of 2026-03-02, extracted 2026-03-03T01:15Z, holds only P1
                .row("2026-03-02", "P1", "false", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "in both")
                // an incremental after it: P3 modified after the extraction comes back; P4's version is older: stays deleted
                .row("2026-03-04", "P3", "false", "2026-03-01T09:00:00Z", "2026-03-04T08:00:00Z", "back")
                .row("2026-03-04", "P4", "false", "2026-03-01T09:00:00Z", "2026-03-02T08:00:00Z", "stale return");
        Dataset<Row> full = spark().createDataFrame(List.of(
                RowFactory.create(Date.valueOf("2026-03-02"), Timestamp.from(Instant.parse("2026-03-03T01:15:00Z")))), fullSchema());
        assertRows("live", List.<Object[]>of(row("P1", "in both"), row("P3", "back")), live(staged(b), full));
    }

    @Test
    void aFullSnapshotDatedOnOrBeforeEveryVersionDeletesNothingAndCanBeLeftOut() {
        // P1 and P2 come in the full snapshot of 03-01; the full snapshot of 03-03 holds P1 only
        Bronze b = Bronze.of(PRODUCT)
                .row("2026-03-01", "P1", "false", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "in both")
                .row("2026-03-01", "P2", "false", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "dropped")
                .row("2026-03-03", "P1", "false", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "in both");
        Row first = RowFactory.create(Date.valueOf("2026-03-01"), Timestamp.from(Instant.parse("2026-03-02T01:00:00Z")));
        Row later = RowFactory.create(Date.valueOf("2026-03-03"), Timestamp.from(Instant.parse("2026-03-04T01:00:00Z")));
        java.util.Optional<java.time.LocalDate> earliest = java.util.Optional.of(java.time.LocalDate.parse("2026-03-01"));
        assertThat(CurrentState.canDelete(java.time.LocalDate.parse("2026-03-01"), earliest)).isFalse();
        assertThat(CurrentState.canDelete(java.time.LocalDate.parse("2026-03-03"), earliest)).isTrue();
        assertThat(CurrentState.canDelete(java.time.LocalDate.parse("2026-03-01"), java.util.Optional.empty()))
                .as("unknown earliest date: every full snapshot is kept").isTrue();
        List<Object[]> both = rowsOf(CurrentState.rank(staged(b), spark().createDataFrame(List.of(first, later), fullSchema()))
                .select("id", "name", "is_deleted", "_is_current", "_source_file"));
        List<Object[]> withoutFirst = rowsOf(CurrentState.rank(staged(b), spark().createDataFrame(List.of(later), fullSchema()))
                .select("id", "name", "is_deleted", "_is_current", "_source_file"));
        assertRows("the same versions and deletions without the first extract", both, withoutFirst);
        assertRows("P2 deleted by the later snapshot", List.<Object[]>of(row("P1", "in both")),
                live(staged(b), spark().createDataFrame(List.of(later), fullSchema())));
    }

    @Test
    void rowsThatCannotBeTypedAreFlaggedWithTheReason() {
        Bronze b = Bronze.of(PRODUCT)
                .row("2026-03-01", "P1", "false", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "ok")
                .row("2026-03-01", "P2", "false", "2026-03-01T09:00:00Z", "yesterday", "bad modstamp")
                .row("2026-03-01", null, "false", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "no id")
                .row("2026-03-01", "P4", "maybe", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "bad flag");
        assertRows("errors", List.<Object[]>of(row("P1", null), row("P2", "unparseable SystemModstamp 'yesterday'"),
                        row(null, "missing Id"), row("P4", "unparseable IsDeleted 'maybe'")),
                rowsOf(Staging.stage(b.frame(), Staging.MODELS.get(SourceObject.PRODUCT)).select("id", "_error")));
    }
}

package io.salespulse.silver;

import io.salespulse.common.Frames;
import io.salespulse.common.TableSpec;
import io.salespulse.ingest.SourceObject;
import io.salespulse.staging.Staging;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * The leads' part of a daily run that takes only what the rows landed since silver was last
 * computed reach, instead of staging every lead and campaign member in bronze: {@code fact_lead}
 * keeps one row per live lead and {@code fact_campaign_member} one per live membership.
 *
 * <p>A lead's row depends on its own versions, its live memberships (the first touch) and the
 * acquisition of the account it was converted into. So the records reached are: every membership
 * with a new version; every lead with a new version, every lead any version of such a membership
 * names (a membership that moved leaves its old lead too), and every lead whose conversion outcome
 * the customers' acquisitions now give differently ({@link FactLead#outcomeMoved}, found by the
 * caller). Each is ranked from all its versions in bronze, and the two tables' rows of exactly those
 * records are replaced; a lead's first touch is then taken from {@code fact_campaign_member} as this
 * night leaves it. {@code dim_customer}'s channels are read from {@code fact_lead} (every live lead).
 */
final class LeadIncrement extends RecordsReached {

    /** The objects whose staging this covers. */
    static final List<SourceObject> OBJECTS = List.of(SourceObject.LEAD, SourceObject.CAMPAIGN_MEMBER);

    /** The silver tables whose rows this replaces in part. */
    static final List<TableSpec> TABLES = List.of(FactLead.TABLE, FactCampaignMember.TABLE);

    final Set<String> leads;
    final Set<String> members;
    /** Of {@link #leads}, those reached only through their account's acquisition. */
    final int byAcquisition;

    private LeadIncrement(LocalDate appliedThrough, Set<String> leads, Set<String> members, int byAcquisition,
                          Map<SourceObject, Dataset<Row>> landed, Map<SourceObject, Dataset<Row>> versions) {
        super(appliedThrough, OBJECTS, TABLES, landed, versions, Map.of(FactLead.TABLE, leads, FactCampaignMember.TABLE, members));
        this.leads = leads;
        this.members = members;
        this.byAcquisition = byAcquisition;
    }

    /**
     * The records the rows landed after {@code appliedThrough} reach, and their versions; a reason to
     * compute both tables whole instead when they are too many to name (thrown as the message of an
     * {@link IllegalStateException}).
     *
     * @param leadBronze     bronze Lead rows dated on or before the run date
     * @param memberBronze   bronze CampaignMember rows dated on or before the run date
     * @param acquiredLeads  leads whose conversion outcome moved ({@link FactLead#outcomeMoved})
     * @param pinned         where the frames this holds are pinned (released with the run's)
     */
    static LeadIncrement reach(LocalDate appliedThrough, Dataset<Row> leadBronze, Dataset<Row> memberBronze,
                               Set<String> acquiredLeads, List<Dataset<Row>> pinned) {
        var leadModel = Staging.MODELS.get(SourceObject.LEAD);
        var memberModel = Staging.MODELS.get(SourceObject.CAMPAIGN_MEMBER);
        Column landed = col("_snapshot_date").gt(lit(Date.valueOf(appliedThrough)));
        Dataset<Row> newLeads = Frames.pin(Staging.stage(leadBronze.where(landed), leadModel), pinned);
        Dataset<Row> newMembers = Frames.pin(Staging.stage(memberBronze.where(landed), memberModel), pinned);
        Set<String> members = strings(newMembers.where(col("_error").isNull()).select("id"));
        tooMany(members.size(), "campaign members");
        Dataset<Row> memberVersions = Frames.pin(Staging.stage(
                memberBronze.where(col("Id").isin(members.toArray())), memberModel), pinned);
        Set<String> leads = strings(newLeads.where(col("_error").isNull()).select("id"));
        if (!members.isEmpty()) {
            leads.addAll(strings(memberVersions.where(col("_error").isNull()).select("lead_id")));
        }
        Set<String> acquired = new TreeSet<>(acquiredLeads);
        acquired.removeAll(leads);
        leads.addAll(acquired);
        tooMany(leads.size(), "leads");
        Dataset<Row> leadVersions = Frames.pin(Staging.stage(leadBronze.where(col("Id").isin(leads.toArray())), leadModel), pinned);
        return new LeadIncrement(appliedThrough, leads, members, acquired.size(),
                Map.of(SourceObject.LEAD, newLeads, SourceObject.CAMPAIGN_MEMBER, newMembers),
                Map.of(SourceObject.LEAD, leadVersions, SourceObject.CAMPAIGN_MEMBER, memberVersions));
    }

    @Override
    String describe(TableSpec table, int n) {
        return table.equals(FactLead.TABLE)
                ? (n == 1 ? "lead" : "leads") + " reached by the rows landed after " + appliedThrough
                : "campaign " + (n == 1 ? "member" : "members") + " with a version landed after " + appliedThrough;
    }
}

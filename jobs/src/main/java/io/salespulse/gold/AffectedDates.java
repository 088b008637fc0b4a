package io.salespulse.gold;

import io.salespulse.common.BuildState;
import io.salespulse.common.OpsTables;
import io.salespulse.common.TableSpec;
import io.salespulse.common.TableWriter;
import io.salespulse.silver.DimCustomer;
import io.salespulse.silver.Dimensions;
import io.salespulse.silver.FactActivityDaily;
import io.salespulse.silver.FactCampaignMember;
import io.salespulse.silver.FactLead;
import io.salespulse.silver.FactOpportunity;
import io.salespulse.silver.FactOpportunityStage;
import io.salespulse.silver.FactOrder;
import io.salespulse.silver.SilverBuild;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

/**
 * The KPI dates a run must recompute. Gold remembers which silver versions it was computed from
 * ({@code ops.gold_state}); silver records its changes (Delta's change data feed), so a run reads
 * only the rows that changed since and recomputes the dates they reach. Each silver table the
 * dated KPI tables (kpi_daily, kpi_rep_daily) read declares which of its columns those KPIs use and
 * which KPI dates a row reaches through its business dates ({@link Reach}): a lead counts on its
 * created, converted and acquisition dates; a closed opportunity on its created date and in the
 * 30-day windows after its close date; an order in the 30 days after its date; a user's day of
 * activity in the 30 days after it and the 7 before (activation_rate_7d looks a week ahead); a
 * pipeline stage from the day it was entered on. A changed row reaches what its old and its new
 * version reach; an update that changes no column the KPIs use reaches nothing. Dates after the
 * last computed one are new and always computed. Anything the feed cannot tell (no state yet, other
 * settings, a rep renamed, a feed that was vacuumed) recomputes every date, as {@code rebuild}.
 */
final class AffectedDates {

    /**
     * One business date of a row and the KPI dates it reaches: {@code date - before} …
     * {@code date + after}, or … the run date when {@code after} is negative.
     */
    record Anchor(Column date, int before, int after) {
    }

    /**
     * What the dated KPIs read from a silver table, and the dates a row there reaches.
     *
     * @param perKey whether the KPIs tell the rows apart: when they only count the rows of each
     *               anchor date, a row that stops counting on a date and another that starts on it
     *               cancel out, whatever their keys (dim_customer: an account's new version replaces
     *               its old one as the current row, on the same acquisition date)
     */
    record Reach(List<String> columns, List<Anchor> anchors, boolean perKey) {

        Reach(List<String> columns, List<Anchor> anchors) {
            this(columns, anchors, true);
        }
    }

    private static final int OPEN_ENDED = -1;

    static final Map<TableSpec, Reach> REACH = Map.of(
            FactLead.TABLE, new Reach(List.of("created_date", "owner_id", "name_ok", "email_ok", "phone_ok", "is_converted",
                    "converted_opportunity_id", "converted_date", "became_customer", "days_to_customer"), List.of(
                    new Anchor(col("created_date"), 0, 0),
                    new Anchor(col("converted_date"), 0, 0),
                    new Anchor(date_add(col("created_date"), col("days_to_customer")), 0, 0))),
            FactOpportunity.TABLE, new Reach(List.of("created_date", "owner_id", "close_date", "is_closed", "is_won",
                    "amount_rc", "sales_cycle_days"), List.of(
                    new Anchor(col("created_date"), 0, 0),
                    // only closed deals count on their close date: won, lost, 30-day win rate, deal size, cycle
                    new Anchor(when(col("is_closed"), col("close_date")), 0, 29))),
            // open pipeline: a stage counts from the day it was entered until the next one, which the
            // row does not say (a new stage's own row reaches the days after it)
            FactOpportunityStage.TABLE, new Reach(List.of("opportunity_id", "entered_at", "amount_rc", "probability",
                    "is_closed_stage"), List.of(new Anchor(to_date(col("entered_at")), 0, OPEN_ENDED))),
            FactOrder.TABLE, new Reach(List.of("order_id", "account_id", "effective_date", "is_counted", "is_reduction",
                    "quantity", "order_total_amount_rc"), List.of(new Anchor(col("effective_date"), 0, 29))),
            FactActivityDaily.TABLE, new Reach(List.of("activity_date", "user_id", "signed_up", "activated", "cancelled"),
                    List.of(new Anchor(col("activity_date"), 7, 29))),
            // new_customers counts the current customer rows of each acquisition date
            DimCustomer.TABLE, new Reach(List.of("is_current", "is_customer", "acquisition_date"),
                    List.of(new Anchor(when(col("is_current").and(col("is_customer")), col("acquisition_date")), 0, 0)), false));

    /** A change here reaches every date: kpi_rep_daily has a row per rep and date, with the rep's name. */
    static final List<TableSpec> EVERY_DATE = List.of(Dimensions.SALES_REP);

    /** Read only by the tables recomputed whole on every run (cohorts, campaigns); kept in the state. */
    static final List<TableSpec> WHOLE = List.of(Dimensions.CAMPAIGN, FactCampaignMember.TABLE);

    /**
     * @param dates         the KPI dates to recompute, ascending; null means every date from the first
     * @param activityDates the dates among them whose engagement KPIs (kpi_daily's columns from
     *                      fact_activity_daily: {@link RevenueKpis#ENGAGEMENT}) are recomputed: the new
     *                      dates and those the activity's changes reach; on the others those KPIs stand
     *                      as stored, since nothing they are computed from changed. Null with {@code dates}
     * @param versions      silver table → the version this run computes from (what the state records)
     * @param reason        why every date is recomputed, or which changes reach which dates
     * @param unchanged     nothing gold reads changed since it was computed as of the same date with the
     *                      same settings: every gold table would come out as it is
     */
    record Plan(java.util.SortedSet<LocalDate> dates, java.util.SortedSet<LocalDate> activityDates, Map<String, Long> versions,
                String reason, boolean unchanged) {

        boolean everyDate() {
            return dates == null;
        }
    }

    private final TableWriter writer;

    AffectedDates(TableWriter writer) {
        this.writer = writer;
    }

    /**
     * @param first    the first KPI date
     * @param settings what else the KPIs depend on (the first KPI date, the gold schemas): a change recomputes all
     */
    Plan plan(LocalDate first, LocalDate runDate, String settings, boolean rebuild) {
        List<TableSpec> inputs = inputs();
        Map<String, Long> versions = new LinkedHashMap<>();
        for (TableSpec t : inputs) {
            versions.put(name(t), writer.version(SilverBuild.LAYER, t.name()));
        }
        BuildState state = rebuild ? null : BuildState.read(writer, OpsTables.GOLD_STATE);
        String everything = everything(state, runDate, settings, rebuild);
        if (everything != null) {
            return recomputeAll(versions, everything);
        }
        Map<String, Long> built = state.versions();
        LocalDate lastBuilt = state.runDate();
        java.util.SortedSet<LocalDate> dates = new java.util.TreeSet<>();
        for (LocalDate d = lastBuilt.plusDays(1).isBefore(first) ? first : lastBuilt.plusDays(1); !d.isAfter(runDate); d = d.plusDays(1)) {
            dates.add(d);
        }
        java.util.SortedSet<LocalDate> activityDates = new java.util.TreeSet<>(dates);
        List<Dataset<Row>> reached = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (TableSpec t : inputs) {
            long before = built.getOrDefault(name(t), -1L);
            long now = versions.get(name(t));
            if (before == now) {
                continue;
            }
            if (before < 0 || before > now) {
                return recomputeAll(versions, name(t) + " is not the table gold was computed from");
            }
            if (EVERY_DATE.contains(t)) {
                return recomputeAll(versions, name(t) + " changed");
            }
            if (REACH.containsKey(t)) {
                changed.add(name(t));
                try {
                    reached.add(reachedDates(writer.changes(SilverBuild.LAYER, t.name(), before + 1, now), t,
                            REACH.get(t), first, runDate).withColumn("_activity", lit(t.equals(FactActivityDaily.TABLE))));
                } catch (RuntimeException e) {
                    return unreadable(versions, name(t), e);
                }
            }
        }
        if (!reached.isEmpty()) {
            try {
                for (Row r : io.salespulse.common.Frames.unionByName(reached).distinct().collectAsList()) {
                    dates.add(r.getDate(0).toLocalDate());
                    if (r.getBoolean(1)) {
                        activityDates.add(r.getDate(0).toLocalDate());
                    }
                }
            } catch (RuntimeException e) {
                return unreadable(versions, String.join(", ", changed), e);
            }
        }
        String reason = changed.isEmpty() ? "no silver change" : "changes in " + String.join(", ", changed);
        return new Plan(dates, activityDates, versions, reason, dates.isEmpty() && versions.equals(built) && runDate.equals(lastBuilt));
    }

    /**
     * The KPI dates (first … run date) that the changed rows of one table reach: what their old and
     * new versions reach, leaving out changes of no column the KPIs read. A row's old version counts
     * −1 and its new one +1, summed by key (unless the KPIs only count rows: {@link Reach#perKey}),
     * commit and every column the KPIs read (the anchors' dates among them): versions that agree on
     * those cancel out, whether they are an update's two images (a MERGE) or a deleted and an
     * inserted row (a table written whole, where every row is both).
     * One hash aggregation over the feed, no sort.
     */
    static Dataset<Row> reachedDates(Dataset<Row> changes, TableSpec table, Reach reach, LocalDate first, LocalDate runDate) {
        java.util.Set<String> grouping = new java.util.LinkedHashSet<>(reach.perKey() ? table.key() : List.of());
        grouping.addAll(reach.columns());
        grouping.add("_commit_version");
        Column sign = when(col("_change_type").isin("delete", "update_preimage"), -1).otherwise(1);
        Dataset<Row> effective = changes.groupBy(grouping.stream().map(c -> col("`" + c + "`")).toArray(Column[]::new))
                .agg(sum(sign).as("_net"))
                .where(col("_net").notEqual(0));
        Column lo = lit(Date.valueOf(first));
        Column hi = lit(Date.valueOf(runDate));
        List<Dataset<Row>> out = new ArrayList<>();
        for (Anchor a : reach.anchors()) {
            Column start = greatest(date_sub(a.date(), a.before()), lo);
            Column end = a.after() < 0 ? hi : least(date_add(a.date(), a.after()), hi);
            out.add(effective.where(a.date().isNotNull().and(start.leq(end)))
                    .select(explode(sequence(start, end)).as("kpi_date")));
        }
        return io.salespulse.common.Frames.unionByName(out);
    }

    /**
     * The feed was turned off or vacuumed for a version in between: nothing can be trusted about
     * those versions, so every date is recomputed (and the run says why).
     */
    private Plan unreadable(Map<String, Long> versions, String tables, RuntimeException e) {
        return recomputeAll(versions, "the changes of " + tables + " cannot be read (" + firstLine(e) + ")");
    }

    /** Null when the state allows an incremental run, else why not. */
    private String everything(BuildState state, LocalDate runDate, String settings, boolean rebuild) {
        if (rebuild) {
            return "rebuild";
        }
        for (TableSpec t : List.of(KpiDaily.TABLE, RepDaily.TABLE)) {
            if (!writer.exists(GoldBuild.LAYER, t.name())) {
                return "first build of gold." + t.name();
            }
        }
        if (state == null) {
            return "no ops." + OpsTables.GOLD_STATE + " yet (or it is inconsistent)";
        }
        if (!settings.equals(state.settings())) {
            return "the KPI settings changed (" + state.settings() + " → " + settings + ")";
        }
        if (runDate.isBefore(state.runDate())) {
            return "gold was computed as of a later date";
        }
        return null;
    }

    /**
     * Every date. Inputs created before the change feed existed get it now, so that the next run
     * can be incremental (the versions recorded are the ones after that metadata commit).
     */
    private Plan recomputeAll(Map<String, Long> versions, String reason) {
        Map<String, Long> after = new LinkedHashMap<>(versions);
        for (TableSpec t : inputs()) {
            if (!writer.recordsChanges(SilverBuild.LAYER, t.name())) {
                writer.enableChangeFeed(SilverBuild.LAYER, t.name());
                after.put(name(t), writer.version(SilverBuild.LAYER, t.name()));
            }
        }
        return new Plan(null, null, after, reason, false);
    }

    /** Records what gold was computed from, after every gold table is written (one commit; none when unchanged). */
    void record(Plan plan, LocalDate runDate, String settings) {
        new BuildState(plan.versions(), runDate, settings).record(writer, OpsTables.GOLD_STATE, "What gold was last computed from",
                OpsTables.goldState());
    }

    private static List<TableSpec> inputs() {
        List<TableSpec> all = new ArrayList<>(REACH.keySet());
        all.sort(java.util.Comparator.comparing(TableSpec::name));
        all.addAll(EVERY_DATE);
        all.addAll(WHOLE);
        return all;
    }

    private static String name(TableSpec t) {
        return SilverBuild.LAYER + "." + t.name();
    }

    private static String firstLine(RuntimeException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}

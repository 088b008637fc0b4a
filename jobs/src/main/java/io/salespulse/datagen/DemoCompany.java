package io.salespulse.datagen;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A simulated B2B company, day by day: reps, products, campaigns, leads that convert into
 * accounts, contacts and opportunities, opportunities that move through stages and close,
 * orders with lines (and a few reductions), exchange rates, and product-analytics events.
 *
 * <p>It produces what real exports contain: several versions of a record (and duplicates in one
 * snapshot), deletes, records absent from a later full snapshot, late and duplicate events,
 * several currencies with changing and late rates, reduction orders, bad emails and phones,
 * a reopened opportunity now and then, a column that appears mid-way, and malformed rows.
 * Everything is drawn from one seeded {@link Random}, so a seed gives the same landing tree.
 */
final class DemoCompany {

    /**
     * Changes whenever the same arguments would generate different data, so cached landings
     * (bin/bench) are generated again. 2: every lead has its own email address.
     */
    static final int GENERATOR_VERSION = 2;

    /** Every {@value}th lead is a person who came back: it repeats the name and email of the lead seven before. */
    static final int RETURNING_LEAD_EVERY = 25;

    static final DateTimeFormatter SF_TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);
    static final DateTimeFormatter ISO_TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    static final String[] STAGES = {"Prospecting", "Qualification", "Proposal", "Negotiation"};
    static final int[] STAGE_PROBABILITY = {10, 20, 50, 75};
    static final String[] LEAD_SOURCES = {"Web", "Referral", "Partner", "Trade Show", "Advertisement", "Webinar"};
    static final String[] INDUSTRIES = {"Software", "Retail", "Finance", "Healthcare", "Manufacturing", "Education"};
    static final String[] COUNTRIES = {"US", "GB", "DE", "FR", "CA", "NL"};
    static final String[] FIRST = {"Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Linus", "Margaret", "Dennis", "Frances",
        "Tim", "Radia", "John", "Sophie", "Guido", "Anita", "Bjarne", "Katherine", "Niklaus", "Hedy"};
    static final String[] LAST = {"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Torvalds", "Hamilton",
        "Ritchie", "Allen", "Berners-Lee", "Perlman", "McCarthy", "Wilson", "van Rossum", "Borg", "Stroustrup", "Johnson"};
    static final String[] COMPANY = {"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Wonka",
        "Tyrell", "Cyberdyne", "Soylent", "Aperture", "Massive Dynamic", "Pied Piper", "Dunder Mifflin"};
    static final String[] CURRENCIES = {"USD", "EUR", "GBP", "CAD"};

    /** Columns of each Salesforce object, in file order. */
    static final Map<String, List<String>> COLUMNS = new LinkedHashMap<>();

    static {
        List<String> sys = List.of("Id", "IsDeleted", "CreatedDate", "LastModifiedDate", "SystemModstamp");
        COLUMNS.put("User", cols(sys, "Name", "Email", "Department", "ManagerId", "IsActive"));
        COLUMNS.put("Product2", cols(sys, "Name", "ProductCode", "Family", "IsActive"));
        COLUMNS.put("DatedConversionRate", cols(sys, "IsoCode", "ConversionRate", "StartDate", "NextStartDate"));
        COLUMNS.put("Campaign", cols(sys, "Name", "Type", "Status", "StartDate", "EndDate", "BudgetedCost", "ActualCost",
                "CurrencyIsoCode"));
        COLUMNS.put("Lead", cols(sys, "FirstName", "LastName", "Company", "Email", "Phone", "MobilePhone", "LeadSource",
                "Status", "OwnerId", "IsConverted", "ConvertedDate", "ConvertedAccountId", "ConvertedContactId",
                "ConvertedOpportunityId", "Country", "Industry"));
        COLUMNS.put("CampaignMember", cols(sys, "CampaignId", "LeadId", "ContactId", "Status", "HasResponded",
                "FirstRespondedDate"));
        COLUMNS.put("Account", cols(sys, "Name", "Type", "Industry", "BillingCountry", "NumberOfEmployees", "OwnerId"));
        COLUMNS.put("Contact", cols(sys, "AccountId", "FirstName", "LastName", "Email", "Phone", "LeadSource", "OwnerId"));
        COLUMNS.put("Opportunity", cols(sys, "AccountId", "Name", "StageName", "Amount", "CloseDate", "Probability", "Type",
                "LeadSource", "IsClosed", "IsWon", "OwnerId", "CampaignId", "CurrencyIsoCode"));
        COLUMNS.put("OpportunityHistory", cols(sys, "OpportunityId", "StageName", "Amount", "CloseDate", "Probability"));
        COLUMNS.put("Order", cols(sys, "AccountId", "OrderNumber", "EffectiveDate", "Status", "TotalAmount",
                "CurrencyIsoCode", "IsReductionOrder"));
        COLUMNS.put("OrderItem", cols(sys, "OrderId", "Product2Id", "Quantity", "UnitPrice", "TotalPrice"));
    }

    /** Objects extracted as a `full` snapshot every day (small dimensions); the rest are incremental. */
    static final List<String> FULL_DAILY = List.of("User", "Product2");
    /** The column that appears half-way through (schema drift). */
    static final String DRIFT_OBJECT = "Lead";
    static final String DRIFT_COLUMN = "Rating";

    private static List<String> cols(List<String> sys, String... more) {
        List<String> all = new ArrayList<>(sys);
        all.addAll(List.of(more));
        return List.copyOf(all);
    }

    final Random rnd;
    final double scale;
    final LocalDate start;
    final int days;
    final double malformedRate;

    /** Current state of every record, per object, in creation order. */
    final Map<String, Map<String, Map<String, String>>> records = new LinkedHashMap<>();
    /** Rows emitted for the day being simulated, per object (several versions of a record may appear). */
    Map<String, List<Map<String, String>>> changed = new LinkedHashMap<>();
    /** Segment events per received date. */
    final Map<LocalDate, List<String>> events = new TreeMap<>();
    /** Scheduled work: day index → actions. */
    final Map<Integer, List<Runnable>> agenda = new TreeMap<>();

    final Map<String, Integer> counters = new LinkedHashMap<>();
    final List<String> reps = new ArrayList<>();
    final List<String> products = new ArrayList<>();
    final List<String> campaigns = new ArrayList<>();
    final Map<String, String> accountCurrency = new LinkedHashMap<>();
    final List<String> accountIds = new ArrayList<>();
    /** First campaign each lead was added to (for Opportunity.CampaignId). */
    final Map<String, String> leadFirstCampaign = new LinkedHashMap<>();
    /** Analytics user ids of contacts that signed up, with the contact's email. */
    final Map<String, String> appUsers = new LinkedHashMap<>();
    final Map<String, Double> currentRate = new LinkedHashMap<>();
    final Map<String, String> currentRateId = new LinkedHashMap<>();

    /** The day of {@link #shakeUp()}, or null for none. */
    final LocalDate shakeUpDate;

    int day;
    LocalDate today;

    DemoCompany(long seed, double scale, LocalDate start, int days, double malformedRate, LocalDate shakeUpDate) {
        this.rnd = new Random(seed);
        this.scale = scale;
        this.start = start;
        this.days = days;
        this.malformedRate = malformedRate;
        this.shakeUpDate = shakeUpDate;
        COLUMNS.keySet().forEach(o -> records.put(o, new LinkedHashMap<>()));
    }

    // ---------------------------------------------------------------- the day loop

    /** Simulates one day; the rows it changed are then in {@link #changed}. */
    void simulate(int dayIndex) {
        day = dayIndex;
        today = start.plusDays(dayIndex);
        changed = new LinkedHashMap<>();
        COLUMNS.keySet().forEach(o -> changed.put(o, new ArrayList<>()));
        if (dayIndex == 0) {
            founding();
        }
        if (today.getDayOfMonth() == 1 && dayIndex > 0) {
            newRates(today);
        }
        if (dayIndex > 0 && rnd.nextDouble() < 0.05) {
            newCampaign();
        }
        if (dayIndex > 0 && dayIndex % 45 == 0) {
            hireRep();
        }
        int leads = poisson(800 * scale * weekdayFactor());
        for (int i = 0; i < leads; i++) {
            newLead();
        }
        List<Runnable> todo = agenda.remove(dayIndex);
        if (todo != null) {
            todo.forEach(Runnable::run);
        }
        accountChurnAndEdits();
        dailyEvents();
        if (today.equals(shakeUpDate)) {
            shakeUp(); // last: the company's day up to here is the one generated without it
        }
    }

    /**
     * A day whose changes reach far into the past, for checking incremental runs against a rebuild
     * and for benchmarks: the deal closed longest ago is reopened, the first month's exchange rates
     * are corrected, and the Account extract is a full snapshot ({@link #extractedInFull}) without
     * every other live account (deleted by absence, with what hangs on them: orders, customers, cohorts).
     */
    private void shakeUp() {
        Map<String, String> oldest = null;
        for (Map<String, String> o : records.get("Opportunity").values()) {
            if ("true".equals(o.get("IsClosed")) && (oldest == null || o.get("CloseDate").compareTo(oldest.get("CloseDate")) < 0)) {
                oldest = o;
            }
        }
        if (oldest != null) {
            reopen(oldest.get("Id"));
        }
        Map<String, Map<String, String>> first = new LinkedHashMap<>();
        for (Map<String, String> r : records.get("DatedConversionRate").values()) {
            Map<String, String> seen = first.get(r.get("IsoCode"));
            if (!"USD".equals(r.get("IsoCode")) && (seen == null || r.get("StartDate").compareTo(seen.get("StartDate")) < 0)) {
                first.put(r.get("IsoCode"), r);
            }
        }
        for (Map<String, String> r : first.values()) {
            r.put("ConversionRate", String.valueOf(round(Double.parseDouble(r.get("ConversionRate")) * 1.02, 6)));
            touch("DatedConversionRate", r, at(today, 6));
        }
        List<String> gone = new ArrayList<>();
        int live = 0;
        for (String id : accountIds) {
            if (live("Account", id) != null && live++ % 2 == 0) {
                gone.add(id);
            }
        }
        gone.forEach(records.get("Account")::remove);
        accountIds.removeAll(new java.util.HashSet<>(gone));
    }

    /**
     * Whether the day just simulated extracts {@code object} in full: every object on the first day,
     * the small {@link #FULL_DAILY} ones every day, and Account on the {@link #shakeUp()} day.
     */
    boolean extractedInFull(String object) {
        return day == 0 || FULL_DAILY.contains(object) || (today.equals(shakeUpDate) && object.equals("Account"));
    }

    private double weekdayFactor() {
        return switch (today.getDayOfWeek()) {
            case SATURDAY, SUNDAY -> 0.3;
            default -> 1.2;
        };
    }

    private void founding() {
        int repCount = Math.max(4, (int) Math.round(40 * scale));
        for (int i = 0; i < repCount; i++) {
            hireRep();
        }
        String[] families = {"Platform", "Add-on", "Services"};
        for (int i = 0; i < 12; i++) {
            Map<String, String> p = create("Product2", "01t", at(today, 8));
            p.put("Name", "Product " + (char) ('A' + i));
            p.put("ProductCode", "SP-" + (100 + i));
            p.put("Family", families[i % 3]);
            p.put("IsActive", "true");
            products.add(p.get("Id"));
        }
        newRates(today);
        for (int i = 0; i < Math.max(3, (int) Math.round(15 * scale)); i++) {
            newCampaign();
        }
    }

    private void hireRep() {
        Map<String, String> u = create("User", "005", at(today, 9));
        String name = pick(FIRST) + " " + pick(LAST);
        u.put("Name", name);
        u.put("Email", name.toLowerCase().replace(' ', '.').replace("'", "") + "@salespulse.example");
        u.put("Department", rnd.nextBoolean() ? "Inside Sales" : "Field Sales");
        u.put("ManagerId", reps.isEmpty() ? null : reps.get(0));
        u.put("IsActive", "true");
        reps.add(u.get("Id"));
    }

    /** Rates are units of currency per 1 USD; a new set lands each month, one month's set lands 3 days late. */
    private void newRates(LocalDate validFrom) {
        boolean late = day > 0 && validFrom.getMonthValue() % 3 == 0;
        Runnable land = () -> {
            for (String iso : CURRENCIES) {
                double base = switch (iso) {
                    case "EUR" -> 0.92;
                    case "GBP" -> 0.79;
                    case "CAD" -> 1.36;
                    default -> 1.0;
                };
                double rate = iso.equals("USD") ? 1.0 : round(base * (0.95 + 0.1 * rnd.nextDouble()), 6);
                String previous = currentRateId.get(iso);
                if (previous != null) {
                    Map<String, String> old = records.get("DatedConversionRate").get(previous);
                    old.put("NextStartDate", validFrom.toString());
                    touch("DatedConversionRate", old, at(today, 6));
                }
                Map<String, String> r = create("DatedConversionRate", "04w", at(today, 6));
                r.put("IsoCode", iso);
                r.put("ConversionRate", String.valueOf(rate));
                r.put("StartDate", validFrom.toString());
                currentRate.put(iso, rate);
                currentRateId.put(iso, r.get("Id"));
            }
        };
        if (late && day + 3 < days) {
            agenda.computeIfAbsent(day + 3, k -> new ArrayList<>()).add(land);
        } else {
            land.run();
        }
    }

    private void newCampaign() {
        String[] types = {"Webinar", "Email", "Trade Show", "Advertisement", "Partners"};
        Map<String, String> c = create("Campaign", "701", at(today, 10));
        String type = pick(types);
        c.put("Name", type + " " + today.getMonth().toString().charAt(0)
                + today.getMonth().toString().substring(1, 3).toLowerCase() + " " + today.getYear() + " #" + (campaigns.size() + 1));
        c.put("Type", type);
        c.put("Status", "In Progress");
        c.put("StartDate", today.toString());
        c.put("EndDate", today.plusDays(30 + rnd.nextInt(60)).toString());
        double budget = 2000 + rnd.nextInt(48) * 1000;
        c.put("BudgetedCost", money(budget));
        c.put("ActualCost", money(budget * (0.6 + 0.6 * rnd.nextDouble())));
        c.put("CurrencyIsoCode", rnd.nextDouble() < 0.8 ? "USD" : "EUR");
        campaigns.add(c.get("Id"));
    }

    private void newLead() {
        String created = at(today, 7 + rnd.nextInt(13));
        Map<String, String> l = create("Lead", "00Q", created);
        String first = rnd.nextDouble() < 0.04 ? (rnd.nextBoolean() ? null : "  ") : pick(FIRST);
        String last = rnd.nextDouble() < 0.04 ? null : pick(LAST);
        String company = pick(COMPANY) + " " + pick(new String[]{"Inc", "GmbH", "Ltd", "LLC", "SA"});
        l.put("FirstName", first);
        l.put("LastName", last);
        l.put("Company", rnd.nextDouble() < 0.02 ? company + ", \"Holdings\"\nEMEA" : company);
        int number = counters.get("00Q");
        l.put("Email", email(first, last, company, number));
        Map<String, String> earlier = number % RETURNING_LEAD_EVERY == 0 ? records.get("Lead").get(leadId(number - 7)) : null;
        if (earlier != null) {
            // a person who came back (another form, another campaign): the same name and address
            l.put("FirstName", earlier.get("FirstName"));
            l.put("LastName", earlier.get("LastName"));
            l.put("Email", earlier.get("Email"));
        }
        l.put("Phone", phone());
        l.put("MobilePhone", rnd.nextDouble() < 0.3 ? phone() : null);
        l.put("LeadSource", rnd.nextDouble() < 0.05 ? null : pick(LEAD_SOURCES));
        l.put("Status", "Open");
        l.put("OwnerId", pick(reps));
        l.put("IsConverted", "false");
        l.put("Country", pick(COUNTRIES));
        l.put("Industry", pick(INDUSTRIES));
        if (day >= days / 2) {
            l.put(DRIFT_COLUMN, pick(new String[]{"Hot", "Warm", "Cold"}));
        }
        String id = l.get("Id");
        if (!campaigns.isEmpty() && rnd.nextDouble() < 0.6) {
            addMember(pick(campaigns), id, null, 0);
            if (rnd.nextDouble() < 0.2) {
                addMember(pick(campaigns), id, null, rnd.nextInt(3));
            }
        }
        double roll = rnd.nextDouble();
        if (roll < 0.25) {
            schedule(1 + rnd.nextInt(20), () -> convert(id));
        } else if (roll < 0.45) {
            schedule(1 + rnd.nextInt(5), () -> {
                Map<String, String> lead = live("Lead", id);
                if (lead != null) {
                    lead.put("Status", rnd.nextBoolean() ? "Working" : "Unqualified");
                    touch("Lead", lead, at(today, 12));
                }
            });
        } else if (roll < 0.47) {
            schedule(1 + rnd.nextInt(10), () -> delete("Lead", id));
        }
        if (rnd.nextDouble() < 0.02) {
            // the extractor caught two versions of the record in one snapshot
            Map<String, String> lead = records.get("Lead").get(id);
            lead.put("Status", "Working");
            touch("Lead", lead, at(today, 22));
        }
    }

    private void addMember(String campaignId, String leadId, String contactId, int delay) {
        Runnable add = () -> {
            Map<String, String> m = create("CampaignMember", "00v", at(today, 11));
            m.put("CampaignId", campaignId);
            if (leadId != null) {
                leadFirstCampaign.putIfAbsent(leadId, campaignId);
            }
            m.put("LeadId", leadId);
            m.put("ContactId", contactId);
            boolean responded = rnd.nextDouble() < 0.35;
            m.put("Status", responded ? "Responded" : "Sent");
            m.put("HasResponded", String.valueOf(responded));
            m.put("FirstRespondedDate", responded ? today.toString() : null);
        };
        if (delay == 0) {
            add.run();
        } else {
            schedule(delay, add);
        }
    }

    private void convert(String leadId) {
        Map<String, String> lead = live("Lead", leadId);
        if (lead == null || "true".equals(lead.get("IsConverted"))) {
            return;
        }
        String ts = at(today, 14);
        String accountId;
        if (!accountIds.isEmpty() && rnd.nextDouble() < 0.15) {
            accountId = accountIds.get(rnd.nextInt(accountIds.size()));
            if (live("Account", accountId) == null) {
                return;
            }
        } else {
            Map<String, String> a = create("Account", "001", ts);
            a.put("Name", lead.get("Company"));
            a.put("Type", "Prospect");
            a.put("Industry", lead.get("Industry"));
            a.put("BillingCountry", lead.get("Country"));
            a.put("NumberOfEmployees", String.valueOf(10 + rnd.nextInt(5000)));
            a.put("OwnerId", lead.get("OwnerId"));
            accountId = a.get("Id");
            accountIds.add(accountId);
            double c = rnd.nextDouble();
            accountCurrency.put(accountId, c < 0.65 ? "USD" : c < 0.85 ? "EUR" : c < 0.95 ? "GBP" : "CAD");
        }
        Map<String, String> contact = create("Contact", "003", ts);
        contact.put("AccountId", accountId);
        contact.put("FirstName", lead.get("FirstName"));
        contact.put("LastName", lead.get("LastName"));
        contact.put("Email", lead.get("Email"));
        contact.put("Phone", lead.get("Phone"));
        contact.put("LeadSource", lead.get("LeadSource"));
        contact.put("OwnerId", lead.get("OwnerId"));
        String opportunityId = null;
        if (rnd.nextDouble() < 0.8) {
            opportunityId = newOpportunity(accountId, lead.get("OwnerId"), lead.get("LeadSource"), leadCampaign(leadId), ts);
        }
        lead.put("IsConverted", "true");
        lead.put("Status", "Converted");
        lead.put("ConvertedDate", today.toString());
        lead.put("ConvertedAccountId", accountId);
        lead.put("ConvertedContactId", contact.get("Id"));
        lead.put("ConvertedOpportunityId", opportunityId);
        touch("Lead", lead, ts);
        signUp(contact);
    }

    private String leadCampaign(String leadId) {
        String campaign = leadFirstCampaign.get(leadId);
        return campaign != null && rnd.nextDouble() < 0.7 ? campaign : null;
    }

    private String newOpportunity(String accountId, String ownerId, String leadSource, String campaignId, String ts) {
        Map<String, String> o = create("Opportunity", "006", ts);
        String currency = accountCurrency.getOrDefault(accountId, "USD");
        double amount = 5000 + rnd.nextInt(190) * 500;
        int cycle = 5 + rnd.nextInt(85);
        o.put("AccountId", accountId);
        o.put("Name", "Deal " + o.get("Id").substring(10));
        o.put("StageName", STAGES[0]);
        o.put("Amount", rnd.nextDouble() < 0.01 ? null : money(amount));
        o.put("CloseDate", today.plusDays(cycle).toString());
        o.put("Probability", String.valueOf(STAGE_PROBABILITY[0]));
        o.put("Type", "New Business");
        o.put("LeadSource", leadSource);
        o.put("IsClosed", "false");
        o.put("IsWon", "false");
        o.put("OwnerId", ownerId);
        o.put("CampaignId", campaignId);
        o.put("CurrencyIsoCode", currency);
        history(o, ts);
        String id = o.get("Id");
        int step = Math.max(1, cycle / 4);
        for (int s = 1; s < STAGES.length; s++) {
            int stage = s;
            schedule(step * s, () -> advance(id, stage));
        }
        schedule(cycle, () -> close(id, rnd.nextDouble() < 0.35));
        return id;
    }

    private void history(Map<String, String> o, String ts) {
        Map<String, String> h = create("OpportunityHistory", "008", ts);
        h.put("OpportunityId", o.get("Id"));
        h.put("StageName", o.get("StageName"));
        h.put("Amount", o.get("Amount"));
        h.put("CloseDate", o.get("CloseDate"));
        h.put("Probability", o.get("Probability"));
    }

    private void advance(String id, int stage) {
        Map<String, String> o = live("Opportunity", id);
        if (o == null || "true".equals(o.get("IsClosed"))) {
            return;
        }
        String ts = at(today, 13);
        o.put("StageName", STAGES[stage]);
        o.put("Probability", String.valueOf(STAGE_PROBABILITY[stage]));
        if (rnd.nextDouble() < 0.2 && o.get("Amount") != null) {
            o.put("Amount", money(Double.parseDouble(o.get("Amount")) * (0.8 + 0.4 * rnd.nextDouble())));
        }
        touch("Opportunity", o, ts);
        history(o, ts);
    }

    private void close(String id, boolean won) {
        Map<String, String> o = live("Opportunity", id);
        if (o == null || "true".equals(o.get("IsClosed"))) {
            return;
        }
        String ts = at(today, 16);
        o.put("StageName", won ? "Closed Won" : "Closed Lost");
        o.put("Probability", won ? "100" : "0");
        o.put("IsClosed", "true");
        o.put("IsWon", String.valueOf(won));
        o.put("CloseDate", today.toString());
        touch("Opportunity", o, ts);
        history(o, ts);
        if (won) {
            Map<String, String> account = live("Account", o.get("AccountId"));
            if (account != null && !"Customer".equals(account.get("Type"))) {
                account.put("Type", "Customer");
                touch("Account", account, ts);
            }
            double amount = o.get("Amount") == null ? 10000 : Double.parseDouble(o.get("Amount"));
            placeOrder(o.get("AccountId"), amount, o.get("CurrencyIsoCode"), rnd.nextInt(3));
        } else if (rnd.nextDouble() < 0.05) {
            schedule(2 + rnd.nextInt(10), () -> reopen(id));
        }
    }

    private void reopen(String id) {
        Map<String, String> o = live("Opportunity", id);
        if (o == null) {
            return;
        }
        String ts = at(today, 10);
        o.put("StageName", STAGES[3]);
        o.put("Probability", String.valueOf(STAGE_PROBABILITY[3]));
        o.put("IsClosed", "false");
        o.put("IsWon", "false");
        o.put("CloseDate", today.plusDays(10).toString());
        touch("Opportunity", o, ts);
        history(o, ts);
        schedule(10, () -> close(id, rnd.nextDouble() < 0.5));
    }

    private void placeOrder(String accountId, double amount, String currency, int delay) {
        schedule(delay, () -> {
            if (live("Account", accountId) == null) {
                return;
            }
            String ts = at(today, 15);
            Map<String, String> order = create("Order", "801", ts);
            order.put("AccountId", accountId);
            order.put("OrderNumber", String.format("%08d", counters.get("801")));
            order.put("EffectiveDate", today.toString());
            order.put("Status", "Draft");
            order.put("CurrencyIsoCode", currency);
            order.put("IsReductionOrder", "false");
            int lines = 1 + rnd.nextInt(4);
            double total = 0;
            for (int i = 0; i < lines; i++) {
                Map<String, String> item = create("OrderItem", "802", ts);
                int qty = 1 + rnd.nextInt(20);
                double unit = round(amount / lines / qty, 2);
                item.put("OrderId", order.get("Id"));
                item.put("Product2Id", pick(products));
                item.put("Quantity", String.valueOf(qty));
                item.put("UnitPrice", money(unit));
                item.put("TotalPrice", money(unit * qty));
                total += round(unit * qty, 2);
            }
            order.put("TotalAmount", money(total));
            String orderId = order.get("Id");
            double fate = rnd.nextDouble();
            schedule(1, () -> {
                Map<String, String> o = live("Order", orderId);
                if (o != null) {
                    o.put("Status", fate < 0.03 ? "Cancelled" : "Activated");
                    touch("Order", o, at(today, 9));
                }
            });
            if (fate >= 0.03 && fate < 0.11) {
                double credit = round(total * 0.1 * (1 + rnd.nextInt(3)), 2);
                schedule(5 + rnd.nextInt(20), () -> reductionOrder(accountId, credit, currency));
            }
            if (rnd.nextDouble() < 0.4) {
                placeOrder(accountId, amount * (0.2 + 0.5 * rnd.nextDouble()), currency, 25 + rnd.nextInt(40));
            }
        });
    }

    private void reductionOrder(String accountId, double credit, String currency) {
        if (live("Account", accountId) == null) {
            return;
        }
        String ts = at(today, 11);
        Map<String, String> order = create("Order", "801", ts);
        order.put("AccountId", accountId);
        order.put("OrderNumber", String.format("%08d", counters.get("801")));
        order.put("EffectiveDate", today.toString());
        order.put("Status", "Activated");
        order.put("TotalAmount", money(-credit));
        order.put("CurrencyIsoCode", currency);
        order.put("IsReductionOrder", "true");
        Map<String, String> item = create("OrderItem", "802", ts);
        item.put("OrderId", order.get("Id"));
        item.put("Product2Id", pick(products));
        item.put("Quantity", "1");
        item.put("UnitPrice", money(-credit));
        item.put("TotalPrice", money(-credit));
    }

    /** Owner reassignments and industry fixes (SCD2 material), and a rare deleted account. */
    private void accountChurnAndEdits() {
        List<String> ids = accountIds;
        if (ids.isEmpty()) {
            return;
        }
        int edits = poisson(ids.size() * 0.003);
        for (int i = 0; i < edits; i++) {
            Map<String, String> a = live("Account", ids.get(rnd.nextInt(ids.size())));
            if (a == null) {
                continue;
            }
            if (rnd.nextBoolean()) {
                a.put("OwnerId", pick(reps));
            } else {
                a.put("Industry", pick(INDUSTRIES));
            }
            touch("Account", a, at(today, 17));
        }
        if (rnd.nextDouble() < 0.02) {
            delete("Account", ids.get(rnd.nextInt(ids.size())));
        }
        if (day == days / 3 && products.size() > 1) {
            // dropped from the next full snapshot: deleted by absence
            records.get("Product2").remove(products.remove(products.size() - 1));
        }
    }

    // ---------------------------------------------------------------- analytics events

    private void signUp(Map<String, String> contact) {
        if (contact.get("Email") == null || rnd.nextDouble() < 0.3) {
            return;
        }
        String userId = "usr_" + contact.get("Id").substring(8);
        appUsers.put(userId, contact.get("Email"));
        String anon = "anon_" + Long.toHexString(rnd.nextLong());
        event(today, userId, anon, "identify", null, Map.of("email", messyEmail(contact.get("Email"))));
        event(today, userId, anon, "track", "Signed Up", null);
        if (rnd.nextDouble() < 0.7) {
            int wait = rnd.nextInt(10);
            schedule(wait, () -> event(today, userId, anon, "track", "Account Activated", null));
        }
        if (rnd.nextDouble() < 0.1) {
            schedule(20 + rnd.nextInt(60), () -> event(today, userId, null, "track", "Subscription Cancelled", null));
        }
    }

    private void dailyEvents() {
        // ~30k events a weekday at scale 1: a year is over 10M events
        int n = poisson(30000 * scale * weekdayFactor());
        List<String> users = new ArrayList<>(appUsers.keySet());
        String[] tracks = {"Report Exported", "Dashboard Viewed", "Feature Used", "Invite Sent"};
        for (int i = 0; i < n; i++) {
            boolean known = !users.isEmpty() && rnd.nextDouble() < 0.7;
            String userId = known ? users.get(rnd.nextInt(users.size())) : null;
            String anon = "anon_" + Integer.toHexString(rnd.nextInt(Math.max(50, (int) (20000 * scale))));
            double t = rnd.nextDouble();
            if (t < 0.6) {
                event(today, userId, anon, "page", null, null);
            } else if (t < 0.95 || userId == null) {
                event(today, userId, anon, "track", tracks[rnd.nextInt(tracks.length)], null);
            } else {
                event(today, userId, anon, "identify", null, Map.of("email", messyEmail(appUsers.get(userId))));
            }
        }
    }

    private void event(LocalDate date, String userId, String anonymousId, String type, String name, Map<String, String> traits) {
        // 2% of events reach Segment 1 to 3 days after they happened (late data)
        LocalDate received = date;
        if (rnd.nextDouble() < 0.02 && day + 3 < days) {
            received = date.plusDays(1 + rnd.nextInt(3));
        }
        Instant ts = date.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(rnd.nextInt(86400));
        Instant receivedAt = received.equals(date) ? ts.plusSeconds(rnd.nextInt(5))
                : received.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(rnd.nextInt(3600));
        if (receivedAt.isAfter(received.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusSeconds(1))) {
            receivedAt = received.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusSeconds(1);
        }
        Map<String, Object> e = new LinkedHashMap<>();
        String messageId = "msg_" + Long.toHexString(rnd.nextLong()) + Long.toHexString(rnd.nextLong());
        e.put("messageId", messageId);
        e.put("type", type);
        if (name != null) {
            e.put("event", name);
        }
        e.put("userId", userId);
        e.put("anonymousId", anonymousId == null ? "anon_" + Integer.toHexString(rnd.nextInt(1 << 20)) : anonymousId);
        e.put("timestamp", ISO_TS.format(ts));
        e.put("receivedAt", ISO_TS.format(receivedAt));
        if (type.equals("page")) {
            e.put("properties", Map.of("path", pick(new String[]{"/", "/pricing", "/docs", "/app/dashboard", "/app/reports"})));
        } else if (type.equals("track")) {
            e.put("properties", Map.of("plan", pick(new String[]{"starter", "growth", "enterprise"})));
        }
        if (traits != null) {
            e.put("traits", traits);
        }
        if (rnd.nextDouble() < 0.3) {
            // a LinkedHashMap, not Map.of: Map.of's order changes from one JVM to the next, and so would the files
            Map<String, String> campaign = new LinkedHashMap<>();
            campaign.put("source", pick(new String[]{"google", "linkedin", "newsletter"}));
            campaign.put("medium", pick(new String[]{"cpc", "email", "social"}));
            campaign.put("name", "spring-" + (1 + rnd.nextInt(5)));
            e.put("context", Map.of("campaign", campaign));
        }
        String line = LandingWriter.jsonLine(e);
        events.computeIfAbsent(received, k -> new ArrayList<>()).add(line);
        if (rnd.nextDouble() < 0.01) {
            // at-least-once delivery: the same message again, same folder or the next one
            LocalDate again = rnd.nextBoolean() || day + 1 >= days ? received : received.plusDays(1);
            events.computeIfAbsent(again, k -> new ArrayList<>()).add(line);
        }
    }

    // ---------------------------------------------------------------- record helpers

    private static String id(String prefix, int n) {
        return prefix + String.format("%015d", n);
    }

    private static String leadId(int n) {
        return id("00Q", n);
    }

    private Map<String, String> create(String object, String prefix, String ts) {
        int n = counters.merge(prefix, 1, Integer::sum);
        Map<String, String> r = new LinkedHashMap<>();
        r.put("Id", id(prefix, n));
        r.put("IsDeleted", "false");
        r.put("CreatedDate", ts);
        r.put("LastModifiedDate", ts);
        r.put("SystemModstamp", ts);
        records.get(object).put(r.get("Id"), r);
        changed.get(object).add(r); // emitted as it is at the end of the day
        return r;
    }

    /**
     * A timestamp in either form this generator writes (see {@link #at}): Salesforce's
     * {@code 2026-06-04T17:34:51.000+0000} or ISO {@code 2026-06-04T17:34:51Z}, with or without
     * milliseconds. Reading only the first failed a scale-1.0 year on the day a record touched
     * twice in one second last carried the second form.
     */
    static Instant instantOf(String ts) {
        return ts.endsWith("Z") ? Instant.parse(ts) : Instant.from(SF_TS.parse(ts));
    }

    /** Records a new version; the emitted row is a copy as of now, so later edits make another version. */
    private void touch(String object, Map<String, String> r, String ts) {
        if (ts.compareTo(r.get("SystemModstamp")) <= 0) {
            ts = SF_TS.format(instantOf(r.get("SystemModstamp")).plusSeconds(1));
        }
        r.put("LastModifiedDate", ts);
        r.put("SystemModstamp", ts);
        changed.get(object).add(new LinkedHashMap<>(r));
    }

    private void delete(String object, String id) {
        Map<String, String> r = live(object, id);
        if (r == null) {
            return;
        }
        r.put("IsDeleted", "true");
        touch(object, r, at(today, 18));
        records.get(object).remove(id);
    }

    private Map<String, String> live(String object, String id) {
        Map<String, String> r = records.get(object).get(id);
        return r == null || "true".equals(r.get("IsDeleted")) ? null : r;
    }

    private void schedule(int inDays, Runnable action) {
        agenda.computeIfAbsent(day + Math.max(1, inDays), k -> new ArrayList<>()).add(action);
    }

    String at(LocalDate date, int hour) {
        Instant t = date.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(hour * 3600L + rnd.nextInt(3600));
        return rnd.nextDouble() < 0.1 ? ISO_TS.format(t).replace(".000Z", "Z") : SF_TS.format(t);
    }

    /**
     * A lead's email: one address per person (the lead's number tells namesakes apart), so a new
     * contact re-links only the analytics users of its own address, as in a real CRM. The number
     * takes no random draw, so the draws around it stay in step.
     */
    private String email(String first, String last, String company, int leadNumber) {
        String user = ((first == null || first.isBlank() ? "info" : first) + "." + (last == null ? "x" : last) + "." + leadNumber)
                .toLowerCase().replace(' ', '-');
        String domain = company.split(" ")[0].toLowerCase() + ".example";
        double r = rnd.nextDouble();
        if (r < 0.05) {
            return null;
        } else if (r < 0.09) {
            return user + "@" + domain.replace(".example", "");      // no dot in the domain
        } else if (r < 0.12) {
            return user + " at " + domain;                            // not an address
        } else if (r < 0.15) {
            return "  " + user.toUpperCase() + "@" + domain + " ";    // valid once trimmed
        }
        return user + "@" + domain;
    }

    private String messyEmail(String email) {
        if (email == null) {
            return null;
        }
        double r = rnd.nextDouble();
        return r < 0.2 ? "  " + email.toUpperCase() + " " : r < 0.3 ? email.substring(0, 1).toUpperCase() + email.substring(1) : email;
    }

    private String phone() {
        double r = rnd.nextDouble();
        String digits = String.valueOf(2000000000L + (long) (rnd.nextDouble() * 7999999999L));
        if (r < 0.08) {
            return null;
        } else if (r < 0.14) {
            return digits.substring(0, 4);                            // too short
        } else if (r < 0.17) {
            return "n/a";
        } else if (r < 0.5) {
            return "+1 (" + digits.substring(0, 3) + ") " + digits.substring(3, 6) + "-" + digits.substring(6);
        } else if (r < 0.7) {
            return "+44 20 " + digits.substring(0, 4) + " " + digits.substring(4, 8);
        }
        return digits;
    }

    private String pick(String[] values) {
        return values[rnd.nextInt(values.length)];
    }

    private String pick(List<String> values) {
        return values.get(rnd.nextInt(values.size()));
    }

    private int poisson(double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 50) {
            return Math.max(0, (int) Math.round(mean + Math.sqrt(mean) * rnd.nextGaussian()));
        }
        double l = Math.exp(-mean);
        double p = 1.0;
        int k = 0;
        do {
            k++;
            p *= rnd.nextDouble();
        } while (p > l);
        return k - 1;
    }

    static String money(double v) {
        return java.math.BigDecimal.valueOf(v).setScale(2, java.math.RoundingMode.HALF_UP).toPlainString();
    }

    static double round(double v, int places) {
        return java.math.BigDecimal.valueOf(v).setScale(places, java.math.RoundingMode.HALF_UP).doubleValue();
    }
}

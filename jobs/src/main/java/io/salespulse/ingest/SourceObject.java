package io.salespulse.ingest;

import java.util.ArrayList;
import java.util.List;

/**
 * Every object of the landing contract (docs/landing.md): where it lands, which columns it
 * must carry, and the bronze table it loads into.
 */
public enum SourceObject {
    LEAD("salesforce", "Lead", "Email", "Phone", "LeadSource", "Status", "OwnerId", "IsConverted"),
    ACCOUNT("salesforce", "Account", "Name", "OwnerId"),
    CONTACT("salesforce", "Contact", "AccountId", "Email"),
    OPPORTUNITY("salesforce", "Opportunity", "AccountId", "StageName", "Amount", "CloseDate", "LeadSource",
            "IsClosed", "IsWon", "OwnerId", "CurrencyIsoCode"),
    OPPORTUNITY_HISTORY("salesforce", "OpportunityHistory", "OpportunityId", "StageName"),
    CAMPAIGN("salesforce", "Campaign", "Name", "Type", "ActualCost"),
    CAMPAIGN_MEMBER("salesforce", "CampaignMember", "CampaignId", "HasResponded"),
    USER("salesforce", "User", "Name", "IsActive"),
    ORDER("salesforce", "Order", "AccountId", "EffectiveDate", "Status", "TotalAmount", "CurrencyIsoCode"),
    ORDER_ITEM("salesforce", "OrderItem", "OrderId", "Product2Id", "Quantity", "UnitPrice", "TotalPrice"),
    PRODUCT("salesforce", "Product2", "Name"),
    DATED_CONVERSION_RATE("salesforce", "DatedConversionRate", "IsoCode", "ConversionRate", "StartDate"),
    SEGMENT_EVENTS("segment", "events", "messageId", "type", "timestamp");

    private final String source;
    private final String object;
    private final List<String> required;

    SourceObject(String source, String object, String... required) {
        this.source = source;
        this.object = object;
        // every Salesforce object also carries Id, IsDeleted, CreatedDate and SystemModstamp
        List<String> all = new ArrayList<>();
        if (source.equals("salesforce")) {
            all.addAll(List.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp"));
        }
        all.addAll(List.of(required));
        this.required = List.copyOf(all);
    }

    public String source() {
        return source;
    }

    /** The object's name as the source spells it ({@code OpportunityHistory}, {@code events}). */
    public String objectName() {
        return object;
    }

    public List<String> requiredColumns() {
        return required;
    }

    public boolean isSegment() {
        return source.equals("segment");
    }

    /** Landing folder of the object, relative to the landing root. */
    public String landingDir() {
        return source + "/" + object;
    }

    /** Snapshot folders are {@code snapshot_date=...} for Salesforce, {@code received_date=...} for Segment. */
    public String partitionKey() {
        return isSegment() ? "received_date" : "snapshot_date";
    }

    /** {@code salesforce_opportunity_history}, {@code segment_events}. */
    public String bronzeTable() {
        return source + "_" + snakeCase(object);
    }

    static String snakeCase(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
    }
}

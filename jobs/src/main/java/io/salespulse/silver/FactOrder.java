package io.salespulse.silver;

import io.salespulse.common.TableSpec;
import io.salespulse.common.TableSchema;
import io.salespulse.intermediate.ConversionRates;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createDecimalType;

/**
 * {@code silver.fact_order}: one row per order line of a live order of a live account (an order
 * without lines keeps one row with a null order_item_id, so no revenue is lost). Money is
 * converted at the rate valid on the order's EffectiveDate.
 */
public final class FactOrder {

    public static final TableSpec TABLE = new TableSpec("fact_order",
            "One row per order line (orders without lines: one row, order_item_id null), amounts in reporting currency",
            TableSchema.of()
                    .col("order_line_id", StringType, "Unique line key: order_item_id, or '<order_id>:order' for an order without lines")
                    .col("order_id", StringType, "Salesforce Order Id")
                    .col("order_item_id", StringType, "Salesforce OrderItem Id (null for an order without lines)")
                    .col("account_id", StringType, "Account that placed the order")
                    .col("order_number", StringType, "OrderNumber")
                    .col("effective_date", DateType, "EffectiveDate: the order's business date")
                    .col("status", StringType, "Draft, Activated or Cancelled")
                    .col("is_reduction", BooleanType, "IsReductionOrder (credits, negative amounts)")
                    .col("is_counted", BooleanType, "Status = Activated: the order counts in revenue")
                    .col("product_id", StringType, "Product2 Id of the line")
                    .col("quantity", createDecimalType(38, 6), "Quantity of the line")
                    .col("unit_price", createDecimalType(38, 6), "UnitPrice, order currency")
                    .col("amount", createDecimalType(38, 6), "Line TotalPrice, order currency")
                    .col("currency", StringType, "The order's CurrencyIsoCode")
                    .col("amount_rc", createDecimalType(38, 6), "Line TotalPrice in reporting currency (rate on effective_date, rounded half-up to 6 decimals)")
                    .col("order_total_amount", createDecimalType(38, 6), "The order's TotalAmount, order currency (repeated on each line)")
                    .col("order_total_amount_rc", createDecimalType(38, 6), "The order's TotalAmount in reporting currency: what revenue KPIs sum, once per order")
                    .col("is_first_order", BooleanType, "This order is the account's acquisition order (earliest counted non-reduction order, ties: lowest Id)")
                    .struct(),
            List.of("order_line_id"))
            .requiring("effective_date")
            .expecting("account_id", DimCustomer.TABLE, "account_id")
            .expecting("product_id", Dimensions.PRODUCT, "product_id");

    private FactOrder() {
    }

    /** Orders that conform: live account, convertible amount. One row per order, for acquisition and the fact. */
    public static Built orders(Dataset<Row> orders, Dataset<Row> liveAccounts, Dataset<Row> everAccounts, Dataset<Row> rates,
                               String reportingCurrency) {
        Dataset<Row> live = liveAccounts.select(col("id").as("_live_account"));
        Dataset<Row> ever = everAccounts.select(col("id").as("_ever_account")).distinct();
        Dataset<Row> linked = orders
                .join(live, orders.col("account_id").equalTo(live.col("_live_account")), "left")
                .join(ever, orders.col("account_id").equalTo(ever.col("_ever_account")), "left");
        // every order converted (a row's rate is its own): the conformed orders and the stopped ones are
        // then two filters of one frame. An order of a deleted account counts nowhere (kpis.md); one whose
        // account never existed is a data error, whatever its currency
        Dataset<Row> converted = ConversionRates.convert(linked, rates, reportingCurrency,
                "total_amount", "currency", "effective_date", "total_amount_rc", "id");
        Column withAccount = col("_live_account").isNotNull();
        return Built.split(converted,
                c -> c.where(withAccount.and(col("_rate_error").isNull())).drop("_live_account", "_ever_account", "_rate_error")
                        .withColumn("is_reduction", coalesce(col("is_reduction"), lit(false))),
                c -> Built.quarantine(c.where(col("_ever_account").isNull()), TABLE.name(),
                                concat(lit("account not found: "), coalesce(col("account_id"), lit("(blank)"))))
                        .unionByName(Built.withoutRate(c.where(withAccount), TABLE.name())));
    }

    /**
     * @param orders       conformed orders from {@link #orders}
     * @param items        live staged order items
     * @param everOrders   every order id ever landed (to tell a deleted parent from a missing one)
     * @param firstOrders  account_id, first_order_id
     */
    public static Built build(Dataset<Row> orders, Dataset<Row> items, Dataset<Row> everOrders, Dataset<Row> rates,
                              String reportingCurrency, Dataset<Row> firstOrders) {
        Dataset<Row> ever = everOrders.select(col("id").as("_ever_order")).distinct();
        Dataset<Row> known = orders.select(col("id").as("_order"), col("currency"), col("effective_date"));
        Dataset<Row> itemsLinked = items
                .join(known, items.col("order_id").equalTo(known.col("_order")), "left")
                .join(ever, items.col("order_id").equalTo(ever.col("_ever_order")), "left");
        // every line converted (a row's rate is its own): the lines and the stopped ones are then filters of one frame
        Dataset<Row> converted = ConversionRates.convert(itemsLinked, rates, reportingCurrency,
                "total_price", "currency", "effective_date", "amount_rc", "id");
        Column usable = col("_order").isNotNull().and(col("quantity").geq(0));
        return Built.split(converted, c -> withLines(orders, c.where(usable.and(col("_rate_error").isNull())), firstOrders),
                c -> Built.quarantine(c.where(col("_ever_order").isNull()), TABLE.name(), concat(lit("order not found: "), col("order_id")))
                        .unionByName(Built.quarantine(c.where(col("_order").isNotNull().and(col("quantity").lt(0))), TABLE.name(),
                                concat(lit("negative Quantity "), col("quantity").cast("string"))))
                        .unionByName(Built.withoutRate(c.where(usable), TABLE.name())));
    }

    /** One row per order line (an order without lines: one row of its own), from the converted usable lines. */
    private static Dataset<Row> withLines(Dataset<Row> orders, Dataset<Row> converted, Dataset<Row> firstOrders) {
        Dataset<Row> lines = converted
                .select(col("id").as("order_item_id"), col("order_id").as("_line_order"), col("product_id"), col("quantity"),
                        col("unit_price"), col("total_price").as("amount"), col("amount_rc"));
        Dataset<Row> first = firstOrders.select(col("first_order_id"));
        return orders
                .join(lines, orders.col("id").equalTo(lines.col("_line_order")), "left")
                .join(first, orders.col("id").equalTo(first.col("first_order_id")), "left")
                .select(
                        coalesce(col("order_item_id"), concat(col("id"), lit(":order"))).as("order_line_id"),
                        col("id").as("order_id"), col("order_item_id"), col("account_id"), col("order_number"),
                        col("effective_date"), col("status"), col("is_reduction"),
                        coalesce(col("status").equalTo("Activated"), lit(false)).as("is_counted"),
                        col("product_id"), col("quantity"), col("unit_price"), col("amount"), col("currency"),
                        col("amount_rc"), col("total_amount").as("order_total_amount"),
                        col("total_amount_rc").as("order_total_amount_rc"),
                        col("first_order_id").isNotNull().as("is_first_order"));
    }
}

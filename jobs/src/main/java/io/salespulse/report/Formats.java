package io.salespulse.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/** Numbers for people: thousands separated, currency with its code, rates as percentages. */
final class Formats {

    private Formats() {
    }

    /** How a KPI's value is shown. */
    enum Kind {
        COUNT, CURRENCY, PERCENT, DAYS, SCORE;

        String format(Double v, String currency) {
            if (v == null || v.isNaN()) {
                return "–";
            }
            return switch (this) {
                case COUNT -> String.format(Locale.US, "%,d", Math.round(v));
                case CURRENCY -> money(v, currency);
                case PERCENT -> String.format(Locale.US, "%.1f %%", v * 100);
                case DAYS -> String.format(Locale.US, "%,.1f d", v);
                case SCORE -> String.format(Locale.US, "%.2f", v);
            };
        }

        /**
         * The change from a previous average: relative for amounts and counts, in percentage points
         * for rates (a win rate going from 20 % to 25 % is "+5.0 pp", not "+25 %").
         */
        String change(Double now, Double before) {
            if (now == null || before == null || now.isNaN() || before.isNaN()) {
                return "–";
            }
            if (this == PERCENT) {
                return signed((now - before) * 100, "pp");
            }
            if (before == 0) {
                return now == 0 ? "±0.0 %" : "new";
            }
            return signed((now - before) / Math.abs(before) * 100, "%");
        }
    }

    /** "+5.0 pp", "-1.2 %", and "±0.0 %" for what rounds to no change. */
    private static String signed(double v, String unit) {
        return Math.abs(v) < 0.05 ? "±0.0 " + unit : String.format(Locale.US, "%+.1f %s", v, unit);
    }

    /** 1234.5 USD → "USD 1,234.50"; a million and more → "USD 1.23 M". */
    static String money(double v, String currency) {
        if (Math.abs(v) >= 1_000_000) {
            return currency + " " + String.format(Locale.US, "%,.2f M", v / 1_000_000);
        }
        return currency + " " + String.format(Locale.US, "%,.2f", BigDecimal.valueOf(v).setScale(2, RoundingMode.HALF_UP));
    }

    static String html(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}

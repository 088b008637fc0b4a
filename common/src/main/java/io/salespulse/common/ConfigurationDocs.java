package io.salespulse.common;

/**
 * The key table of docs/configuration.md, rendered from the declarations in {@link SalespulseConfig}:
 * the page users read is generated, never a hand-kept copy ({@code salespulse config-docs --out
 * docs/configuration.md} rewrites it; a test fails while it is stale). Only the part between the
 * two markers is generated; the prose around it is written by hand.
 */
public final class ConfigurationDocs {

    public static final String BEGIN = "<!-- generated from SalespulseConfig.java by `bin/salespulse config-docs --out docs/configuration.md`: edit the declarations, not this table -->";
    public static final String END = "<!-- end of the generated table -->";

    private ConfigurationDocs() {
    }

    /** The table of every declared key: name, default, kind of value, meaning. */
    public static String table() {
        StringBuilder sb = new StringBuilder("| key | default | value | meaning |\n|---|---|---|---|\n");
        for (ConfigKey k : SalespulseConfig.KEYS) {
            sb.append("| `").append(k.name()).append("` | ")
                    .append(k.defaultValue().isEmpty() ? "blank" : "`" + k.defaultValue().replace("|", "\\|") + "`")
                    .append(" | ").append(kind(k.kind())).append(" | ").append(k.doc().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }

    /** {@code page} with the text between the markers replaced by {@link #table()}. */
    public static String update(String page) {
        int begin = page.indexOf(BEGIN);
        int end = page.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("the page has no " + BEGIN + " … " + END + " markers");
        }
        return page.substring(0, begin + BEGIN.length()) + "\n\n" + table() + "\n" + page.substring(end);
    }

    private static String kind(ConfigKey.Kind kind) {
        return switch (kind) {
            case TEXT -> "text";
            case BOOLEAN -> "true / false";
            case WHOLE_NUMBER -> "whole number";
            case NUMBER -> "number";
            case DATE_OR_BLANK -> "date (YYYY-MM-DD) or blank";
            case TIME_ZONE -> "time-zone id";
            case CURRENCY -> "ISO 4217 code";
        };
    }
}

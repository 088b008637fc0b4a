package io.salespulse.common;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Set;

/**
 * One configuration key, declared once with its default, its kind of value and what it means.
 * The environment variable that overrides it is derived from the name:
 * {@code landing.root} → {@code SALESPULSE_LANDING_ROOT}.
 */
public record ConfigKey(String name, String defaultValue, String doc, Kind kind) {

    /** What a value must look like; checked when the configuration is loaded, before a run starts. */
    public enum Kind {
        TEXT, BOOLEAN, WHOLE_NUMBER, NUMBER, DATE_OR_BLANK, TIME_ZONE, CURRENCY;

        /** @return why {@code value} is not of this kind, or null when it is */
        String problem(String value) {
            String v = value.trim();
            switch (this) {
                case BOOLEAN:
                    return Set.of("true", "false").contains(v.toLowerCase()) ? null : "must be true or false";
                case WHOLE_NUMBER:
                    return v.matches("\\d{1,18}") ? null : "must be a whole number";
                case NUMBER:
                    return v.matches("\\d+(\\.\\d+)?") ? null : "must be a number";
                case DATE_OR_BLANK:
                    if (v.isEmpty()) {
                        return null;
                    }
                    try {
                        LocalDate.parse(v);
                        return null;
                    } catch (DateTimeException e) {
                        return "must be a date (YYYY-MM-DD) or blank";
                    }
                case TIME_ZONE:
                    try {
                        ZoneId.of(v);
                        return null;
                    } catch (DateTimeException e) {
                        return "must be a time zone id such as UTC or Europe/Warsaw";
                    }
                case CURRENCY:
                    return v.matches("[A-Z]{3}") ? null : "must be an ISO 4217 code such as USD";
                default:
                    return null;
            }
        }
    }

    /** A free-text key. */
    public ConfigKey(String name, String defaultValue, String doc) {
        this(name, defaultValue, doc, Kind.TEXT);
    }

    public String envName() {
        return "SALESPULSE_" + name.toUpperCase().replace('.', '_').replace('-', '_');
    }
}

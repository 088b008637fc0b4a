package io.salespulse.common;

/**
 * One configuration key, declared once with its default and what it means.
 * The environment variable that overrides it is derived from the name:
 * {@code landing.root} → {@code SALESPULSE_LANDING_ROOT}.
 */
public record ConfigKey(String name, String defaultValue, String doc) {

    public String envName() {
        return "SALESPULSE_" + name.toUpperCase().replace('.', '_').replace('-', '_');
    }
}

package io.salespulse.cli;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code --option value} pairs of one subcommand, plus valueless switches such as {@code --force};
 * an unknown option or an option without its value is a usage error.
 */
final class Args {

    private final Map<String, String> values = new LinkedHashMap<>();

    Args(String[] argv, int from, Set<String> allowed) {
        this(argv, from, allowed, Set.of());
    }

    Args(String[] argv, int from, Set<String> allowed, Set<String> switches) {
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) {
                throw new UsageException("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (switches.contains(name)) {
                value = "true";
            } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                value = argv[++i];
            } else {
                throw new UsageException("--" + name + " needs a value");
            }
            if (!allowed.contains(name) && !switches.contains(name)) {
                throw new UsageException("unknown option --" + name);
            }
            values.put(name, value);
        }
    }

    String get(String name) {
        return values.get(name);
    }

    /** A switch: present (or {@code --name=true}) means on. */
    boolean flag(String name) {
        return "true".equalsIgnoreCase(values.get(name));
    }

    String require(String name) {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            throw new UsageException("--" + name + " is required");
        }
        return v;
    }

    LocalDate date(String name) {
        String v = require(name);
        try {
            return LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw new UsageException("--" + name + " must be YYYY-MM-DD, got '" + v + "'");
        }
    }

    int intValue(String name, int fallback) {
        String v = values.get(name);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, got '" + v + "'");
        }
    }

    double doubleValue(String name, double fallback) {
        String v = values.get(name);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + v + "'");
        }
    }
}

package io.salespulse.common;

import java.nio.file.Path;

/** Locations are URIs so that s3a://, file:// and plain local paths are handled alike. */
public final class Uris {

    private Uris() {
    }

    /** A plain or relative path becomes an absolute {@code file:} URI; URIs with a scheme are kept. */
    public static String normalize(String location) {
        String s = location.trim();
        if (s.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            return s;
        }
        if (s.startsWith("file:")) {
            s = s.substring("file:".length());
        }
        return Path.of(s).toAbsolutePath().normalize().toUri().toString();
    }

    /** Joins a root URI and relative segments with single slashes. */
    public static String join(String root, String... parts) {
        StringBuilder sb = new StringBuilder(root.endsWith("/") ? root.substring(0, root.length() - 1) : root);
        for (String p : parts) {
            sb.append('/').append(p);
        }
        return sb.toString();
    }
}

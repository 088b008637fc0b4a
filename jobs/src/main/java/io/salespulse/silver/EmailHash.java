package io.salespulse.silver;

import org.apache.spark.sql.Column;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.encode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.unhex;
import static org.apache.spark.sql.functions.when;

/**
 * HMAC-SHA-256 of the normalized (trimmed, lower-cased) email, keyed with a secret from the
 * environment, built from Spark's own {@code sha2}: HMAC(K, m) = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)).
 * The same person hashes to the same value in every table, and nobody without the key can
 * test an address against it.
 */
public final class EmailHash {

    public static final String ENV = "SALESPULSE_HASH_KEY";
    private static final int BLOCK = 64;

    private final byte[] innerPad;
    private final byte[] outerPad;

    public EmailHash(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException(ENV + " is not set: the email-hashing key must come from the environment");
        }
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        if (k.length > BLOCK) {
            k = sha256(k);
        }
        innerPad = new byte[BLOCK];
        outerPad = new byte[BLOCK];
        for (int i = 0; i < BLOCK; i++) {
            byte b = i < k.length ? k[i] : 0;
            innerPad[i] = (byte) (b ^ 0x36);
            outerPad[i] = (byte) (b ^ 0x5c);
        }
    }

    public static EmailHash fromEnv(Map<String, String> env) {
        return new EmailHash(env.get(ENV));
    }

    /** Lower-case hex HMAC of the normalized email; null for a blank email. */
    public Column hash(Column email) {
        Column normalized = lower(trim(email));
        Column inner = unhex(sha2(concat(lit(innerPad), encode(normalized, "UTF-8")), 256));
        return when(normalized.isNull().or(normalized.equalTo("")), lit(null).cast("string"))
                .otherwise(sha2(concat(lit(outerPad), inner), 256));
    }

    /**
     * Names the key without revealing it (the HMAC of a fixed text, as a hash of an email is): silver
     * records it in its state, so that a new key recomputes every hashed column.
     */
    public String keyId() {
        byte[] label = "salespulse email key id".getBytes(StandardCharsets.UTF_8);
        byte[] inner = sha256(joined(innerPad, label));
        return java.util.HexFormat.of().formatHex(sha256(joined(outerPad, inner))).substring(0, 16);
    }

    private static byte[] joined(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

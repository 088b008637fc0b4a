package io.salespulse.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The {@code _manifest.json} an extractor writes last into a snapshot folder.
 *
 * @param fingerprint SHA-256 of the manifest text: a re-extracted snapshot has a new one
 */
public record Manifest(String source, String object, String mode, String extractedAt, String format,
                       List<FileEntry> files, long records, String fingerprint) {

    public record FileEntry(String name, long records) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean isFull() {
        return "full".equals(mode);
    }

    /** Parses a manifest; any problem is an {@link IllegalArgumentException} with a one-line reason. */
    public static Manifest parse(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException("manifest is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("manifest is not a JSON object");
        }
        String mode = text(root, "mode");
        if (!"full".equals(mode) && !"incremental".equals(mode)) {
            throw new IllegalArgumentException("manifest mode must be 'full' or 'incremental', got '" + mode + "'");
        }
        JsonNode files = root.get("files");
        if (files == null || !files.isArray()) {
            throw new IllegalArgumentException("manifest has no 'files' list");
        }
        List<FileEntry> entries = new ArrayList<>();
        for (JsonNode f : files) {
            String name = text(f, "name");
            if (name == null || name.isBlank() || name.contains("/") || name.contains("..")) {
                throw new IllegalArgumentException("manifest file entry has no valid 'name'");
            }
            entries.add(new FileEntry(name, count(f, "records", "file " + name)));
        }
        long records = count(root, "records", "manifest");
        long sum = entries.stream().mapToLong(FileEntry::records).sum();
        if (sum != records) {
            throw new IllegalArgumentException("manifest records (" + records + ") differ from the sum of its files (" + sum + ")");
        }
        return new Manifest(text(root, "source"), text(root, "object"), mode, text(root, "extracted_at"),
                text(root, "format"), List.copyOf(entries), records, sha256(text));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static long count(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.canConvertToLong() || v.asLong() < 0) {
            throw new IllegalArgumentException(where + " has no valid '" + field + "' count");
        }
        return v.asLong();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

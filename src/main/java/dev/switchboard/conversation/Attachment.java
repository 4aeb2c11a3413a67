package dev.switchboard.conversation;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A file that came with a user's message, as the turn refers to it; its bytes are kept once per content hash beside
 * the thread ({@link ConversationStore#blob}). Immutable.
 *
 * @param name the file's name as the platform gave it; shown to the model and in notes, never used as a path
 * @param mediaType the type found by content ({@code image/png}, {@code text/plain}, {@code application/pdf}), or the
 *     type the platform declared for a file that was not read
 * @param size its size in bytes as read (or as declared, for a file that was not read)
 * @param sha256 the hex SHA-256 of the bytes kept, empty for a file not read
 * @param kind what it is to the model
 * @param note why it was not read ({@link Kind#SKIPPED}), or what a reader should know; may be empty
 * @param textSha256 for a PDF, the hex SHA-256 of its extracted text kept as a blob of its own; else empty
 */
public record Attachment(String name, String mediaType, long size, String sha256, Kind kind, String note,
                         String textSha256) {

    private static final Pattern HASH = Pattern.compile("|[0-9a-f]{64}");

    /** What a file is to the model. */
    public enum Kind {
        /** A picture for vision models (PNG or JPEG as kept). */
        IMAGE,
        /** UTF-8 text or code, put into the prompt with its name. */
        TEXT,
        /** A PDF: a document where the provider takes one, else its extracted text. */
        PDF,
        /** Announced by the platform, not read yet: the message was stored before its files were fetched. */
        PENDING,
        /** Not read: {@code note} says why. */
        SKIPPED
    }

    public Attachment {
        name = name == null || name.isBlank() ? "unnamed file" : name;
        mediaType = mediaType == null ? "" : mediaType;
        sha256 = sha256 == null ? "" : sha256;
        Objects.requireNonNull(kind, "kind");
        note = note == null ? "" : note;
        textSha256 = textSha256 == null ? "" : textSha256;
        if (!HASH.matcher(sha256).matches() || !HASH.matcher(textSha256).matches()) {
            throw new IllegalArgumentException("an attachment's hash is 64 lower-case hex digits");
        }
        if (size < 0) {
            throw new IllegalArgumentException("an attachment's size must not be negative");
        }
    }

    /** A file that was read and kept. */
    public static Attachment read(String name, String mediaType, long size, String sha256, Kind kind) {
        return new Attachment(name, mediaType, size, sha256, kind, "", "");
    }

    /** A file that was not read, and why (one short clause: "larger than 20 MB"). */
    public static Attachment skipped(String name, String declaredType, long declaredSize, String why) {
        return new Attachment(name, declaredType, Math.max(0, declaredSize), "", Kind.SKIPPED, why, "");
    }

    /** A file the platform announced, to be read after the message is stored. */
    public static Attachment pending(String name, String declaredType, long declaredSize) {
        return new Attachment(name, declaredType, Math.max(0, declaredSize), "", Kind.PENDING, "", "");
    }

    /** The line that tells the user (and the model) a file was not read. */
    public String skipLine() {
        return "I could not read " + name + ": " + (note.isEmpty() ? "it was not read" : note) + ".";
    }

    /** The hex SHA-256 of some bytes: the name a blob is kept under. */
    public static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The hashes of the blobs this refers to: its bytes, and a PDF's text. */
    public java.util.List<String> blobs() {
        return java.util.stream.Stream.of(sha256, textSha256).filter(s -> !s.isEmpty()).toList();
    }
}

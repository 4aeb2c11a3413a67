package dev.switchboard.live;

/**
 * What a write is to its reader, and so what of a {@link Budget} it may spend: every write takes the paced writes;
 * a reply's first visible sign may also take the write each budget holds back; its final text, the one write its
 * reader is waiting for, may also go as a spare write while the budget is quiet. A first sign takes no spare write:
 * with fifty Slack replies at once, placeholders posted early on spare posts each needed an edit for their first
 * words from the workspace's busy chat.update, where the later ones had come with their words (first words p95
 * 24 to 35 s).
 */
enum Need {
    /** Progress: the paced writes only. */
    PACED,
    /** A reply's first visible sign: the paced writes or the reserve. */
    FIRST_SIGN,
    /** A reply's final text: the paced writes, the reserve or a spare write. */
    FINAL_TEXT;

    /** Whether it goes before progress and may spend the reserve. */
    boolean urgent() {
        return this != PACED;
    }
}

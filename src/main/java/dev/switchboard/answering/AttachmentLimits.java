package dev.switchboard.answering;

import java.time.Duration;
import java.util.Objects;

/**
 * How much of the files that come with messages is read.
 *
 * @param maxFileBytes the largest file read; reading stops there whatever the platform declared
 * @param maxMessageBytes all files of one message together
 * @param maxImages images read from one message; later ones are skipped
 * @param downloadDeadline how long one file's download may take
 * @param maxImagePixels the largest image (width × height) decoded; larger ones are refused before decoding
 * @param maxPdfPages the longest PDF read
 * @param keep whether files are kept with the thread (false: used for the answer, then dropped)
 * @param read whether files are read at all (false: each is named as not read)
 */
public record AttachmentLimits(long maxFileBytes, long maxMessageBytes, int maxImages, Duration downloadDeadline,
                               long maxImagePixels, int maxPdfPages, boolean keep, boolean read) {

    /** 20 MB a file, 50 MB a message, 10 images, 60 seconds, 50 megapixels, 300 pages, kept. */
    public static final AttachmentLimits DEFAULT = new AttachmentLimits(20L * 1024 * 1024, 50L * 1024 * 1024, 10,
            Duration.ofSeconds(60), 50_000_000L, 300, true, true);

    public AttachmentLimits {
        Objects.requireNonNull(downloadDeadline, "downloadDeadline");
        if (maxFileBytes < 1 || maxMessageBytes < 1 || maxImages < 0 || maxImagePixels < 1 || maxPdfPages < 1
                || downloadDeadline.isNegative() || downloadDeadline.isZero()) {
            throw new IllegalArgumentException("attachment limits must be positive");
        }
    }

    /** A size as people read it: {@code 20 MB}, {@code 512 KB}, {@code 12 bytes}. */
    static String size(long bytes) {
        if (bytes >= 1024 * 1024) {
            double mb = bytes / (1024.0 * 1024);
            return (mb == Math.rint(mb) ? String.valueOf((long) mb) : String.format(java.util.Locale.ROOT, "%.1f", mb))
                    + " MB";
        }
        return bytes >= 1024 ? bytes / 1024 + " KB" : bytes + " bytes";
    }
}

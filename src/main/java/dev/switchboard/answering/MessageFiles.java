package dev.switchboard.answering;

import dev.switchboard.conversation.Attachment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the files of one message within the limits: each downloaded with its cap and deadline, its kind decided by
 * content, and every file that is not read named with a one-clause reason. Nothing of a file is logged. Stateless.
 */
final class MessageFiles {

    /**
     * The files of a message as the turn refers to them, and the bytes to keep by hash.
     *
     * @param attachments in the order they were sent, skipped ones included
     * @param blobs by hex SHA-256
     */
    record Read(List<Attachment> attachments, Map<String, byte[]> blobs) {
        Read {
            attachments = List.copyOf(attachments);
            blobs = Map.copyOf(blobs);
        }
    }

    private MessageFiles() {
    }

    /** What the turn says of files announced but not read yet: each pending, with its declared name, type and size. */
    static List<Attachment> announced(List<IncomingFile> files) {
        return files.stream().map(f -> Attachment.pending(f.name(), f.declaredType(), f.declaredSize())).toList();
    }

    static Read read(List<IncomingFile> files, AttachmentLimits limits) {
        List<Attachment> out = new ArrayList<>();
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        long total = 0;
        int images = 0;
        for (IncomingFile file : files) {
            String name = file.name();
            long declared = file.declaredSize();
            if (!limits.read()) {
                out.add(Attachment.skipped(name, file.declaredType(), declared, "reading files is turned off here"));
                continue;
            }
            if (declared > limits.maxFileBytes()) {
                // A declared size may only refuse a file, never let one in: reading stops at the cap anyway.
                out.add(Attachment.skipped(name, file.declaredType(), declared, "it is larger than the "
                        + AttachmentLimits.size(limits.maxFileBytes()) + " limit"));
                continue;
            }
            long left = limits.maxMessageBytes() - total;
            long cap = Math.min(limits.maxFileBytes(), left);
            if (cap <= 0) {
                out.add(Attachment.skipped(name, file.declaredType(), declared, "the message's files together are"
                        + " larger than the " + AttachmentLimits.size(limits.maxMessageBytes()) + " limit"));
                continue;
            }
            CappedDownload.Result result;
            try {
                result = CappedDownload.read(file, cap, limits.downloadDeadline());
            } catch (RuntimeException e) {
                result = new CappedDownload.Result.Refused("the download failed");
            }
            if (result instanceof CappedDownload.Result.Refused refused) {
                String why = cap < limits.maxFileBytes() && refused.why().startsWith("it is larger")
                        ? "the message's files together are larger than the "
                                + AttachmentLimits.size(limits.maxMessageBytes()) + " limit"
                        : refused.why();
                out.add(Attachment.skipped(name, file.declaredType(), declared, why));
                continue;
            }
            byte[] bytes = ((CappedDownload.Result.Bytes) result).bytes();
            total += bytes.length;
            switch (FileKinds.of(bytes, file.declaredType(), limits)) {
                case FileKinds.Kind.Image image -> {
                    if (images >= limits.maxImages()) {
                        out.add(Attachment.skipped(name, image.mediaType(), bytes.length, "only "
                                + limits.maxImages() + (limits.maxImages() == 1 ? " image is" : " images are")
                                + " read from one message"));
                        continue;
                    }
                    images++;
                    String hash = Attachment.sha256(image.bytes());
                    blobs.put(hash, image.bytes());
                    out.add(Attachment.read(name, image.mediaType(), image.bytes().length, hash,
                            Attachment.Kind.IMAGE));
                }
                case FileKinds.Kind.Text text -> {
                    String hash = Attachment.sha256(text.bytes());
                    blobs.put(hash, text.bytes());
                    out.add(Attachment.read(name, "text/plain", bytes.length, hash, Attachment.Kind.TEXT));
                }
                case FileKinds.Kind.Pdf pdf -> {
                    String hash = Attachment.sha256(pdf.bytes());
                    byte[] text = pdf.text().getBytes(StandardCharsets.UTF_8);
                    String textHash = Attachment.sha256(text);
                    blobs.put(hash, pdf.bytes());
                    blobs.put(textHash, text);
                    out.add(new Attachment(name, "application/pdf", bytes.length, hash, Attachment.Kind.PDF, "",
                            textHash));
                }
                case FileKinds.Kind.Unreadable unreadable -> out.add(Attachment.skipped(name, file.declaredType(),
                        bytes.length, unreadable.why()));
            }
        }
        return new Read(out, blobs);
    }
}

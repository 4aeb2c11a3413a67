package dev.switchboard.answering;

import dev.switchboard.conversation.Attachment;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * Decides what a file is by its bytes, never by its name or declared type: an image javax.imageio can read (PNG and
 * JPEG kept as they are; the first frame of a GIF and a WebP (TwelveMonkeys) become PNG), a PDF PDFBox can open, or
 * UTF-8 text that decodes cleanly. Image dimensions are checked before any pixel is decoded, and a PDF's page count
 * before its text is extracted, so a small file cannot make a huge one in memory. Stateless.
 */
final class FileKinds {

    /** The most text taken from one PDF. */
    static final int MAX_PDF_TEXT_CHARS = 400_000;

    /** What a file turned out to be. */
    sealed interface Kind {
        /** Bytes to keep ({@code bytes} may be a PNG made from a GIF or WebP) and their media type. */
        record Image(byte[] bytes, String mediaType) implements Kind { }
        record Text(byte[] bytes) implements Kind { }
        record Pdf(byte[] bytes, String text) implements Kind { }
        record Unreadable(String why) implements Kind { }
    }

    private FileKinds() {
    }

    static Kind of(byte[] bytes, String declaredType, AttachmentLimits limits) {
        if (startsWith(bytes, "%PDF-")) {
            return pdf(bytes, limits);
        }
        Kind image = image(bytes, limits);
        if (image != null) {
            return image;
        }
        String declared = declaredType == null ? "" : declaredType.toLowerCase(Locale.ROOT);
        if (looksLikeImage(bytes) || declared.startsWith("image/")) {
            return new Kind.Unreadable(declared.startsWith("image/") && !looksLikeImage(bytes)
                    ? "it claims to be " + declared + " but is not an image"
                    : "it looks like an image but could not be decoded (damaged or an unsupported format)");
        }
        if (declared.equals("application/pdf")) {
            return new Kind.Unreadable("it claims to be a PDF but is not one");
        }
        if (isText(bytes)) {
            return new Kind.Text(bytes);
        }
        if (startsWith(bytes, "PK\u0003\u0004")) {
            return new Kind.Unreadable("it is a ZIP archive, which I cannot open");
        }
        return new Kind.Unreadable("it is neither an image, a PDF nor text");
    }

    /** Null when no image reader knows the bytes. */
    private static Kind image(byte[] bytes, AttachmentLimits limits) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                if (!format.equals("png") && !format.equals("jpeg") && !format.equals("gif")
                        && !format.equals("webp")) {
                    return new Kind.Unreadable("it is a " + format.toUpperCase(Locale.ROOT)
                            + " image; I read PNG, JPEG, GIF and WebP");
                }
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > limits.maxImagePixels() || pixels <= 0) {
                    return new Kind.Unreadable("the image is " + reader.getWidth(0) + "×" + reader.getHeight(0)
                            + " pixels, more than I decode");
                }
                BufferedImage first = reader.read(0); // decodes: a damaged image fails here
                if (format.equals("png")) {
                    return new Kind.Image(bytes, "image/png");
                }
                if (format.equals("jpeg")) {
                    return new Kind.Image(bytes, "image/jpeg");
                }
                return new Kind.Image(png(first), "image/png");
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return looksLikeImage(bytes)
                    ? new Kind.Unreadable("it looks like an image but could not be decoded (damaged or an unsupported"
                            + " format)")
                    : null;
        }
    }

    static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", out)) {
            throw new IOException("no PNG writer");
        }
        return out.toByteArray();
    }

    private static Kind pdf(byte[] bytes, AttachmentLimits limits) {
        try (PDDocument doc = Loader.loadPDF(bytes)) {
            if (doc.isEncrypted()) {
                return new Kind.Unreadable("the PDF is encrypted");
            }
            int pages = doc.getNumberOfPages();
            if (pages > limits.maxPdfPages()) {
                return new Kind.Unreadable("the PDF has " + pages + " pages, more than the " + limits.maxPdfPages()
                        + " I read");
            }
            String text = new PDFTextStripper().getText(doc);
            if (text.length() > MAX_PDF_TEXT_CHARS) {
                text = text.substring(0, MAX_PDF_TEXT_CHARS) + "\n[… the rest of the PDF's text is left out]";
            }
            return new Kind.Pdf(bytes, text);
        } catch (IOException | RuntimeException e) {
            return new Kind.Unreadable("it looks like a PDF but could not be opened (damaged or encrypted)");
        }
    }

    /** UTF-8 that decodes cleanly, without NULs or other control characters than tab, line feeds and form feed. */
    static boolean isText(byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return text.chars().noneMatch(ch -> ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' && ch != '\f'
                    || ch == 0x7f);
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static boolean looksLikeImage(byte[] b) {
        return startsWith(b, "\u0089PNG") || (b.length > 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8)
                || startsWith(b, "GIF8") || (startsWith(b, "RIFF") && b.length > 12 && new String(b, 8, 4,
                StandardCharsets.ISO_8859_1).equals("WEBP"));
    }

    private static boolean startsWith(byte[] bytes, String magic) {
        if (bytes.length < magic.length()) {
            return false;
        }
        for (int i = 0; i < magic.length(); i++) {
            if ((bytes[i] & 0xff) != magic.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}

package dev.switchboard.routing;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Scales an image down to a provider's longest edge before it is sent, with javax.imageio and Java 2D; an image that
 * fits goes as it was kept, byte for byte. Stateless.
 */
final class ImageFit {

    /** The image to send, its media type and size in pixels. */
    record Fitted(byte[] bytes, String mediaType, int width, int height) { }

    private ImageFit() {
    }

    /** @throws IOException when the kept bytes are no longer a readable image */
    static Fitted fit(byte[] bytes, String mediaType, int maxEdge) throws IOException {
        int width;
        int height;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException("not an image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                width = reader.getWidth(0);
                height = reader.getHeight(0);
            } finally {
                reader.dispose();
            }
        }
        if (Math.max(width, height) <= maxEdge) {
            return new Fitted(bytes, mediaType, width, height);
        }
        BufferedImage source = ImageIO.read(new ByteArrayInputStream(bytes));
        if (source == null) {
            throw new IOException("not an image");
        }
        double scale = (double) maxEdge / Math.max(width, height);
        int w = Math.max(1, (int) Math.round(width * scale));
        int h = Math.max(1, (int) Math.round(height * scale));
        boolean jpeg = "image/jpeg".equals(mediaType);
        BufferedImage scaled = new BufferedImage(w, h, jpeg ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = scaled.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(source, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String format = jpeg ? "jpeg" : "png";
        if (!ImageIO.write(scaled, format, out)) {
            throw new IOException("no " + format + " writer");
        }
        return new Fitted(out.toByteArray(), jpeg ? "image/jpeg" : "image/png", w, h);
    }
}

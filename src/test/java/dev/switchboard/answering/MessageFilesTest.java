package dev.switchboard.answering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conversation.Attachment;
import dev.switchboard.testing.SampleFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Reading a message's files: kinds by content, the limits, and one clear reason for each file not read. */
class MessageFilesTest {

    private static final AttachmentLimits LIMITS = AttachmentLimits.DEFAULT;

    private record Bytes(String name, String declaredType, long declaredSize, byte[] bytes) implements IncomingFile {
        static Bytes of(String name, String type, byte[] bytes) {
            return new Bytes(name, type, bytes.length, bytes);
        }

        @Override
        public InputStream open() {
            return new ByteArrayInputStream(bytes);
        }
    }

    /** A file whose stream is made on each open. */
    private record Streamed(String name, String declaredType, long declaredSize, Opener opener)
            implements IncomingFile {
        @Override
        public InputStream open() throws IOException {
            return opener.open();
        }
    }

    @FunctionalInterface
    private interface Opener {
        InputStream open() throws IOException;
    }

    private static Attachment one(IncomingFile file, AttachmentLimits limits) {
        return MessageFiles.read(List.of(file), limits).attachments().getFirst();
    }

    @Test
    void kindsAreDecidedByContent_notByName() {
        byte[] png = SampleFiles.png(8, 8);
        MessageFiles.Read read = MessageFiles.read(List.of(Bytes.of("image.txt", "text/plain", png),
                Bytes.of("notes.png", "", "just words\n".getBytes(StandardCharsets.UTF_8)),
                Bytes.of("doc.bin", "", SampleFiles.pdf("hello pdf")),
                Bytes.of("photo.jpeg", "image/jpeg", SampleFiles.jpeg(8, 8))), LIMITS);

        assertThat(read.attachments()).extracting(Attachment::kind).containsExactly(Attachment.Kind.IMAGE,
                Attachment.Kind.TEXT, Attachment.Kind.PDF, Attachment.Kind.IMAGE);
        assertThat(read.attachments()).extracting(Attachment::mediaType).containsExactly("image/png", "text/plain",
                "application/pdf", "image/jpeg");
        Attachment pdf = read.attachments().get(2);
        assertThat(new String(read.blobs().get(pdf.textSha256()), StandardCharsets.UTF_8)).contains("hello pdf");
        assertThat(read.blobs().get(read.attachments().getFirst().sha256())).isEqualTo(png);
    }

    @Test
    void aGifBecomesThePngOfItsFirstFrame_andAWebpIsRead() {
        Attachment gif = one(Bytes.of("a.gif", "image/gif", SampleFiles.gif(5, 5)), LIMITS);
        assertThat(gif.kind()).isEqualTo(Attachment.Kind.IMAGE);
        assertThat(gif.mediaType()).isEqualTo("image/png");

        // A 1×1 lossless WebP, read through TwelveMonkeys.
        byte[] webp = Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");
        Attachment read = one(Bytes.of("a.webp", "image/webp", webp), LIMITS);
        assertThat(read.kind()).isEqualTo(Attachment.Kind.IMAGE);
        assertThat(read.mediaType()).isEqualTo("image/png");
    }

    @Test
    void aDecompressionBombIsRefusedBeforeItsPixelsAreDecoded() {
        Attachment bomb = one(Bytes.of("bomb.png", "image/png", SampleFiles.pngBomb(100_000, 100_000)), LIMITS);
        assertThat(bomb.kind()).isEqualTo(Attachment.Kind.SKIPPED);
        assertThat(bomb.note()).isEqualTo("the image is 100000×100000 pixels, more than I decode");
    }

    @Test
    void corruptMislabelledAndArchiveFilesEachGetOneClearReason() {
        assertThat(one(Bytes.of("x.png", "image/png", SampleFiles.notAnImage()), LIMITS).note())
                .startsWith("it looks like an image but could not be decoded");
        byte[] junk = new byte[64];
        for (int i = 0; i < junk.length; i++) {
            junk[i] = (byte) (0x80 + i);
        }
        assertThat(one(Bytes.of("y.png", "image/png", junk), LIMITS).note())
                .isEqualTo("it claims to be image/png but is not an image");
        assertThat(one(Bytes.of("src.zip", "application/zip", SampleFiles.zip("a", "b")), LIMITS).note())
                .isEqualTo("it is a ZIP archive, which I cannot open");
        assertThat(one(Bytes.of("fake.pdf", "application/pdf", "%PDF-1.7 nope".getBytes(StandardCharsets.UTF_8)),
                LIMITS).note()).startsWith("it looks like a PDF but could not be opened");
    }

    @Test
    void pathLikeNamesAreKeptAsNamesOnly() {
        Attachment a = one(Bytes.of("../../etc/passwd", "text/plain", "root:x:0:0\n".getBytes(
                StandardCharsets.UTF_8)), LIMITS);
        assertThat(a.name()).isEqualTo("../../etc/passwd");
        assertThat(a.kind()).isEqualTo(Attachment.Kind.TEXT);
    }

    @Test
    void readingStopsAtTheCap_whateverThePlatformDeclared() {
        AtomicInteger served = new AtomicInteger();
        IncomingFile liar = new Streamed("big.log", "text/plain", 10, () -> new InputStream() {
            @Override
            public int read() {
                served.incrementAndGet();
                return 'a';
            }
        });
        AttachmentLimits small = new AttachmentLimits(1024, 4096, 10, Duration.ofSeconds(10), 1_000_000, 10, true,
                true);
        Attachment a = one(liar, small);
        assertThat(a.note()).isEqualTo("it is larger than the 1 KB limit");
        assertThat(served.get()).isLessThan(64 * 1024 + 2048); // one buffer past the cap at most
    }

    @Test
    void theMessageLimitAndTheImageLimitSkipTheLaterFiles() {
        AttachmentLimits limits = new AttachmentLimits(1 << 20, 1 << 20, 1, Duration.ofSeconds(10), 1_000_000, 10,
                true, true);
        MessageFiles.Read read = MessageFiles.read(List.of(Bytes.of("a.png", "", SampleFiles.png(4, 4)),
                Bytes.of("b.png", "", SampleFiles.png(5, 5))), limits);
        assertThat(read.attachments().get(1).note()).isEqualTo("only 1 image is read from one message");
        assertThat(read.blobs()).hasSize(1);

        IncomingFile declaredTooBig = new Bytes("c.bin", "", 2L << 20, new byte[0]);
        assertThat(one(declaredTooBig, limits).note()).isEqualTo("it is larger than the 1 MB limit");
    }

    @Test
    void aStalledDownloadIsAbandonedAtTheDeadline() {
        CountDownLatch never = new CountDownLatch(1);
        IncomingFile stalled = new Streamed("slow.txt", "", -1, () -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            return InputStream.nullInputStream();
        });
        AttachmentLimits quick = new AttachmentLimits(1024, 4096, 10, Duration.ofMillis(200), 1_000_000, 10, true,
                true);
        assertThat(one(stalled, quick).note()).isEqualTo("the download took longer than 200 ms");
    }

    @Test
    void turnedOffNothingIsRead() {
        AttachmentLimits off = new AttachmentLimits(1024, 4096, 10, Duration.ofSeconds(1), 1_000_000, 10, true,
                false);
        assertThat(one(Bytes.of("a.txt", "", "x".getBytes(StandardCharsets.UTF_8)), off).note())
                .isEqualTo("reading files is turned off here");
    }
}

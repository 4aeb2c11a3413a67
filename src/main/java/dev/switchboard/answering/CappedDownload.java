package dev.switchboard.answering;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads one file within a size cap and a deadline: reading stops at the cap (the platform's declared size is never
 * trusted), and a download still running at the deadline is abandoned and its stream closed. Stateless.
 */
final class CappedDownload {

    /** What came of a download: the bytes, or one clause saying why there are none. */
    sealed interface Result {
        record Bytes(byte[] bytes) implements Result { }
        record Refused(String why) implements Result { }
    }

    private CappedDownload() {
    }

    static Result read(IncomingFile file, long cap, Duration deadline) {
        InputStream[] opened = new InputStream[1];
        CompletableFuture<Result> reading = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = file.open()) {
                opened[0] = in;
                return capped(in, cap);
            } catch (IncomingFile.Unavailable e) {
                return new Result.Refused(e.getMessage());
            } catch (IOException e) {
                return new Result.Refused("the download failed");
            }
        }, command -> Thread.ofVirtual().name("attachment-download").start(command));
        try {
            return reading.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            reading.cancel(true);
            closeQuietly(opened[0]);
            return new Result.Refused("the download took longer than " + (deadline.toMillis() < 1000
                    ? deadline.toMillis() + " ms" : deadline.toSeconds() + " seconds"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(opened[0]);
            return new Result.Refused("the download was interrupted");
        } catch (ExecutionException e) {
            return new Result.Refused("the download failed");
        }
    }

    private static Result capped(InputStream in, long cap) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(cap, 64 * 1024));
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            total += n;
            if (total > cap) {
                return new Result.Refused("it is larger than the " + AttachmentLimits.size(cap) + " limit");
            }
            out.write(buffer, 0, n);
        }
        return new Result.Bytes(out.toByteArray());
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException | RuntimeException ignored) {
                // abandoned anyway
            }
        }
    }
}

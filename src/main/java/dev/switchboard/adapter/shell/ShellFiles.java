package dev.switchboard.adapter.shell;

import dev.switchboard.answering.IncomingFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /attach <path>}: files for the next question, read from the local disk when that question is answered, the
 * way a platform's files are downloaded after the message is taken. Not thread-safe: the shell's reading thread
 * uses it alone.
 */
final class ShellFiles {

    private final List<IncomingFile> pending = new ArrayList<>();

    /** @return what to tell the user */
    String attach(String argument) {
        String given = argument.strip();
        if (given.isEmpty()) {
            return "Usage: /attach <path> — the file goes with your next question.";
        }
        Path path;
        try {
            path = Path.of(given.startsWith("~/") ? System.getProperty("user.home") + given.substring(1) : given)
                    .toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            return "That is not a path: " + given;
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            return "No readable file at " + path + ".";
        }
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            return "Cannot read " + path + ": " + e.getMessage();
        }
        pending.add(new LocalFile(path, size));
        return "Attached " + path.getFileName() + " to your next question (" + pending.size()
                + (pending.size() == 1 ? " file)." : " files).");
    }

    /** The files for this question; the next one starts without any. */
    List<IncomingFile> take() {
        List<IncomingFile> files = List.copyOf(pending);
        pending.clear();
        return files;
    }

    /** A file on this machine: its size as the disk says, its type left to its content. */
    private record LocalFile(Path path, long declaredSize) implements IncomingFile {
        @Override
        public String name() {
            return path.getFileName().toString();
        }

        @Override
        public String declaredType() {
            return "";
        }

        @Override
        public InputStream open() throws IOException {
            return Files.newInputStream(path);
        }
    }
}

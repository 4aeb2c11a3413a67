package dev.switchboard.testing;

/** Files a user attaches to a message in {@link FakeDiscord}, served afterwards on its CDN path. */
public final class FakeDiscordFiles {

    private FakeDiscordFiles() {
    }

    /**
     * One attached file.
     *
     * @param name its file name
     * @param contentType what Discord says it is
     * @param bytes its content (a copy is kept)
     */
    public record File(String name, String contentType, byte[] bytes) {
        public File {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }
}

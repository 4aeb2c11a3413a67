package dev.switchboard.routing;

import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.PdfFileContent;
import dev.langchain4j.data.message.TextContent;
import dev.switchboard.conversation.Attachment;
import dev.switchboard.conversation.Blobs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A user turn's files as LangChain4j content for one target: images as image content (scaled to its longest edge)
 * where it sees images, PDFs as documents where its provider takes them and as their extracted text elsewhere, text
 * files with their name, and a bracketed line for every file it does not get and why. Stateless.
 */
final class AttachmentContent {

    /** What a user's message that is only a file asks. */
    static final String ONLY_FILES = "Describe this.";

    /**
     * What the target reads beside text, and where the attachments' bytes are.
     *
     * @param api the provider's wire protocol, for the image cost rule
     * @param capabilities what the model reads
     * @param blobs the bytes by hash
     */
    record Media(RouterOptions.Api api, ModelCapabilities.Capabilities capabilities, Blobs blobs) {
        static final Media TEXT_ONLY = new Media(RouterOptions.Api.OPENAI,
                new ModelCapabilities.Capabilities(false, false, 1024), Blobs.NONE);
    }

    /** The content parts and their estimated cost in tokens. */
    record Built(List<Content> contents, int tokens) { }

    private AttachmentContent() {
    }

    /** @param text the turn's text as the prompt gives it (with its author's name where several people talk) */
    static Built of(String text, List<Attachment> files, Media media) {
        List<Content> parts = new ArrayList<>();
        int tokens = 0;
        String question = text.isBlank() ? ONLY_FILES : text;
        parts.add(TextContent.from(question));
        tokens += PromptBuilder.estimate(question);
        for (Attachment file : files) {
            switch (file.kind()) {
                case IMAGE -> tokens += image(file, media, parts);
                case TEXT -> {
                    Optional<byte[]> bytes = media.blobs().read(file.sha256());
                    String line = bytes.map(b -> "File " + file.name() + ":\n```\n"
                            + new String(b, StandardCharsets.UTF_8) + "\n```").orElse(gone(file));
                    parts.add(TextContent.from(line));
                    tokens += PromptBuilder.estimate(line);
                }
                case PDF -> tokens += pdf(file, media, parts);
                case SKIPPED, PENDING -> {
                    String line = "[" + file.name() + " was not read: " + why(file) + "]";
                    parts.add(TextContent.from(line));
                    tokens += PromptBuilder.estimate(line);
                }
            }
        }
        return new Built(parts, tokens);
    }

    /** The bracketed line for a turn whose files were left out to fit the context window. */
    static String leftOut(List<Attachment> files) {
        return "[" + String.join(", ", files.stream().map(Attachment::name).toList())
                + " left out: the conversation is too long]";
    }

    /** Why a file was not read, for the prompt and the answer's note. */
    static String why(Attachment file) {
        if (file.kind() == Attachment.Kind.PENDING) {
            return "it was not fetched before the service restarted";
        }
        return file.note().isEmpty() ? "it was not read" : file.note();
    }

    private static int image(Attachment file, Media media, List<Content> parts) {
        if (!media.capabilities().vision()) {
            String line = "[image " + file.name() + ": not seen — this model does not read images]";
            parts.add(TextContent.from(line));
            return PromptBuilder.estimate(line);
        }
        Optional<byte[]> bytes = media.blobs().read(file.sha256());
        if (bytes.isEmpty()) {
            parts.add(TextContent.from(gone(file)));
            return PromptBuilder.estimate(gone(file));
        }
        try {
            ImageFit.Fitted fitted = ImageFit.fit(bytes.get(), file.mediaType(), media.capabilities().maxImageEdge());
            parts.add(TextContent.from("[image " + file.name() + "]"));
            parts.add(ImageContent.from(Base64.getEncoder().encodeToString(fitted.bytes()), fitted.mediaType()));
            return ModelCapabilities.imageTokens(media.api(), fitted.width(), fitted.height()) + 8;
        } catch (IOException | RuntimeException e) {
            String line = "[image " + file.name() + ": could not be read back]";
            parts.add(TextContent.from(line));
            return PromptBuilder.estimate(line);
        }
    }

    private static int pdf(Attachment file, Media media, List<Content> parts) {
        Optional<byte[]> text = file.textSha256().isEmpty() ? Optional.empty()
                : media.blobs().read(file.textSha256());
        int textTokens = text.map(t -> PromptBuilder.estimate(new String(t, StandardCharsets.UTF_8))).orElse(0);
        if (media.capabilities().documents()) {
            Optional<byte[]> bytes = media.blobs().read(file.sha256());
            if (bytes.isPresent()) {
                parts.add(TextContent.from("[PDF " + file.name() + "]"));
                parts.add(PdfFileContent.from(Base64.getEncoder().encodeToString(bytes.get()), "application/pdf"));
                return Math.max(textTokens, (int) Math.min(Integer.MAX_VALUE / 2, bytes.get().length / 100)) + 8;
            }
        }
        String line = text.map(t -> "PDF " + file.name() + " (its text):\n" + new String(t, StandardCharsets.UTF_8))
                .orElse(gone(file));
        parts.add(TextContent.from(line));
        return PromptBuilder.estimate(line);
    }

    private static String gone(Attachment file) {
        return "[" + file.name() + ": no longer kept]";
    }
}

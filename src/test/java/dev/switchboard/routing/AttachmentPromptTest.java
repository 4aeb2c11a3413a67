package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.PdfFileContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.switchboard.conversation.Attachment;
import dev.switchboard.conversation.Blobs;
import dev.switchboard.conversation.Turn;
import dev.switchboard.testing.SampleFiles;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Attachments in the prompt: per capability, and trimmed before any text when the window is short. */
class AttachmentPromptTest {

    private static final Instant T = Instant.parse("2026-11-24T09:00:00Z");
    private static final byte[] PNG = SampleFiles.png(1000, 1000);
    private static final String PNG_HASH = Attachment.sha256(PNG);
    private static final byte[] PDF = "%PDF-1.7 pretend".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private static final String PDF_HASH = Attachment.sha256(PDF);
    private static final byte[] PDF_TEXT = "the pdf's words".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private static final String PDF_TEXT_HASH = Attachment.sha256(PDF_TEXT);
    private static final Blobs BLOBS = hash -> Optional.ofNullable(Map.of(PNG_HASH, PNG, PDF_HASH, PDF,
            PDF_TEXT_HASH, PDF_TEXT).get(hash));

    private static Turn withImage(String text, int minute) {
        return Turn.user("U1", "Ada", text, T.plusSeconds(60L * minute), List.of("m" + minute),
                List.of(Attachment.read("pic" + minute + ".png", "image/png", PNG.length, PNG_HASH,
                        Attachment.Kind.IMAGE)));
    }

    private static AttachmentContent.Media media(RouterOptions.Api api, boolean vision, boolean documents) {
        return new AttachmentContent.Media(api, new ModelCapabilities.Capabilities(vision, documents, 512), BLOBS);
    }

    private static long images(List<ChatMessage> messages) {
        return messages.stream().filter(m -> m instanceof UserMessage u && u.hasSingleText() == false)
                .flatMap(m -> ((UserMessage) m).contents().stream()).filter(c -> c instanceof ImageContent).count();
    }

    @Test
    void anImageIsScaledToTheModelsEdge_andCountedByTheProvidersRule() {
        PromptBuilder.Prompt prompt = PromptBuilder.build("sys", List.of(withImage("what?", 0)), 200_000, 1.0,
                media(RouterOptions.Api.ANTHROPIC, true, true));

        UserMessage question = (UserMessage) prompt.messages().getLast();
        ImageContent image = (ImageContent) question.contents().stream().filter(c -> c instanceof ImageContent)
                .findFirst().orElseThrow();
        assertThat(image.image().mimeType()).isEqualTo("image/png");
        assertThat(prompt.estimatedTokens()).isGreaterThan(512 * 512 / 750);
        assertThat(ModelCapabilities.imageTokens(RouterOptions.Api.OPENAI, 1024, 1024)).isEqualTo(85 + 170 * 4);
        assertThat(ModelCapabilities.imageTokens(RouterOptions.Api.GEMINI, 300, 300)).isEqualTo(258);
    }

    @Test
    void whenTheHistoryIsTrimmedOlderAttachmentsGoBeforeAnyText() {
        // Anthropic counts a 512×512 image as about 349 tokens: 800 tokens (600 for the prompt) hold the texts and
        // one image.
        List<Turn> history = List.of(withImage("first picture", 0), withImage("second picture", 1),
                withImage("the question", 2));
        PromptBuilder.Prompt prompt = PromptBuilder.build("sys", history, 800, 1.0,
                media(RouterOptions.Api.ANTHROPIC, true, true));

        List<ChatMessage> messages = prompt.messages();
        assertThat(prompt.omittedTurns()).isZero();
        assertThat(images(messages)).isEqualTo(1);
        assertThat(((UserMessage) messages.get(1)).singleText()).isEqualTo("first picture\n[pic0.png left out: the"
                + " conversation is too long]");
        assertThat(((UserMessage) messages.get(2)).singleText()).contains("second picture", "[pic1.png left out");
        assertThat(((UserMessage) messages.getLast()).contents()).anyMatch(c -> c instanceof ImageContent);
    }

    @Test
    void aPdfIsADocumentWhereTheProviderTakesOne_elseItsText_andATextOnlyModelIsToldOfTheImage() {
        Turn pdf = Turn.user("U1", "Ada", "", T, List.of("m"), List.of(new Attachment("r.pdf", "application/pdf",
                PDF.length, PDF_HASH, Attachment.Kind.PDF, "", PDF_TEXT_HASH), Attachment.read("p.png", "image/png",
                PNG.length, PNG_HASH, Attachment.Kind.IMAGE)));

        UserMessage asDocument = (UserMessage) PromptBuilder.build("sys", List.of(pdf), 100_000, 1.0,
                media(RouterOptions.Api.GEMINI, true, true)).messages().getLast();
        assertThat(asDocument.contents()).anyMatch(c -> c instanceof PdfFileContent);
        assertThat(((TextContent) asDocument.contents().getFirst()).text()).isEqualTo(AttachmentContent.ONLY_FILES);

        UserMessage asText = (UserMessage) PromptBuilder.build("sys", List.of(pdf), 100_000, 1.0,
                media(RouterOptions.Api.OLLAMA, false, false)).messages().getLast();
        assertThat(asText.contents()).noneMatch(c -> c instanceof PdfFileContent || c instanceof ImageContent);
        assertThat(asText.contents()).extracting(c -> ((TextContent) c).text())
                .contains("PDF r.pdf (its text):\nthe pdf's words",
                        "[image p.png: not seen — this model does not read images]");
    }

    @Test
    void theCapabilityTableKnowsVisionModels_andTheConfigWins() {
        assertThat(ModelCapabilities.of(RouterOptions.Api.OPENAI, "gpt-4o-mini", Map.of()).vision()).isTrue();
        assertThat(ModelCapabilities.of(RouterOptions.Api.OPENAI, "gpt-3.5-turbo", Map.of()).vision()).isFalse();
        assertThat(ModelCapabilities.of(RouterOptions.Api.OLLAMA, "llava:13b", Map.of()))
                .isEqualTo(new ModelCapabilities.Capabilities(true, false, 1024));
        assertThat(ModelCapabilities.of(RouterOptions.Api.OLLAMA, "my-vlm", Map.of("my-vlm",
                new RouterOptions.Capability(true, true, 896))))
                .as("Ollama never takes documents").isEqualTo(new ModelCapabilities.Capabilities(true, false, 896));
    }
}

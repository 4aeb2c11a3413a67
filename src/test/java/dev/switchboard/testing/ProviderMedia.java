package dev.switchboard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The files a request to a {@link FakeProvider} carried, read from each wire format's own shape, failing on any
 * other: OpenAI's {@code image_url} data URL (and {@code file} for a PDF), Anthropic's {@code image} and
 * {@code document} blocks with a base64 source, Gemini's {@code inline_data} parts (as {@code inline_data} or its JSON name {@code inlineData}), Ollama's {@code images} list.
 */
public final class ProviderMedia {

    /** One file as it arrived: its media type and decoded bytes. */
    public record Media(String mediaType, byte[] bytes) { }

    private ProviderMedia() {
    }

    /** The images and documents of every message of the request, in order. */
    public static List<Media> of(FakeProvider.Received request) {
        List<Media> found = new ArrayList<>();
        JsonNode body = request.body();
        switch (request.api()) {
            case OPENAI -> body.path("messages").forEach(m -> m.path("content").forEach(part -> {
                switch (part.path("type").asText()) {
                    case "image_url" -> found.add(dataUrl(part.path("image_url").path("url").asText()));
                    case "file" -> found.add(dataUrl(part.path("file").path("file_data").asText()));
                    case "text" -> { }
                    default -> throw new AssertionError("an OpenAI content part of an unknown type: " + part);
                }
            }));
            case ANTHROPIC -> body.path("messages").forEach(m -> m.path("content").forEach(part -> {
                String type = part.path("type").asText();
                if (type.equals("image") || type.equals("document")) {
                    JsonNode source = part.path("source");
                    if (!source.path("type").asText().equals("base64")) {
                        throw new AssertionError("an Anthropic " + type + " without a base64 source: " + part);
                    }
                    found.add(new Media(source.path("media_type").asText(),
                            Base64.getDecoder().decode(source.path("data").asText())));
                }
            }));
            case GEMINI -> body.path("contents").forEach(c -> c.path("parts").forEach(part -> {
                JsonNode inline = part.has("inline_data") ? part.path("inline_data") : part.path("inlineData");
                if (!inline.isMissingNode()) {
                    String type = inline.has("mime_type") ? inline.path("mime_type").asText()
                            : inline.path("mimeType").asText();
                    found.add(new Media(type, Base64.getDecoder().decode(inline.path("data").asText())));
                }
            }));
            case OLLAMA -> body.path("messages").forEach(m -> m.path("images").forEach(image ->
                    found.add(new Media("", Base64.getDecoder().decode(image.asText())))));
        }
        return found;
    }

    /** Every text the request carried, joined: system prompt, turns and text parts. */
    public static String text(FakeProvider.Received request) {
        return request.body().toString();
    }

    private static Media dataUrl(String url) {
        if (!url.startsWith("data:") || !url.contains(";base64,")) {
            throw new AssertionError("not a base64 data URL: " + url.substring(0, Math.min(40, url.length())));
        }
        String type = url.substring("data:".length(), url.indexOf(';'));
        return new Media(type, Base64.getDecoder().decode(url.substring(url.indexOf(";base64,") + 8)));
    }
}

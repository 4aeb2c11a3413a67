package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.testing.FakeDiscord;
import dev.switchboard.testing.FakeDiscordFiles;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.FakeSlack;
import dev.switchboard.testing.FakeSlackFiles;
import dev.switchboard.testing.ProviderMedia;
import dev.switchboard.testing.SampleFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attachments end to end (issue 20): files shared on Slack and Discord reach the model in each provider's wire
 * shape, byte for byte, downloaded only from the platform's own host after the message is taken; what cannot be
 * read is named in the answer.
 */
class AttachmentsEndToEndTest {

    private static final String ANSWER = "It shows an orange square.";

    @TempDir
    Path data;

    private final FakeProvider provider = FakeProvider.start();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        provider.close();
    }

    private Service service(String platform, Api api, String model) {
        provider.otherwise(r -> Script.answer(ANSWER));
        String yaml = platform + "\n" + """
                providers:
                  main: {type: %s, api_key: test-key-000000, base_url: %s, models: [%s]}
                storage: {path: %s, fsync: false}
                ops: {enabled: false}
                """.formatted(api.name().toLowerCase(java.util.Locale.ROOT), provider.baseUrl(api), model,
                data.toString().replace("\\", "/"));
        Service service = new Service(new ConfigLoader().parse(yaml, "test.yaml", Map.of()), Clock.systemUTC())
                .start();
        closing.add(service);
        return service;
    }

    // ---- Slack ----

    private FakeSlack slack() {
        FakeSlack slack = FakeSlack.start();
        closing.add(slack);
        slack.user("U1", "Ada").channel("C1", "general");
        return slack;
    }

    private static String slackYaml(FakeSlack slack) {
        return """
                slack:
                  bot_token: %s
                  app_token: %s
                  api_url: %s
                """.formatted(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN, slack.apiUrl());
    }

    private static List<String> botTexts(FakeSlack slack, String channel, String thread) {
        return slack.thread(channel, thread).stream().filter(m -> FakeSlack.BOT_USER.equals(m.user())
                && !m.ts().equals(thread)).map(FakeSlack.Message::text).toList();
    }

    private void awaitSlack(FakeSlack slack, Service service) {
        await().until(() -> slack.socketConnections() == 1 && service.slack().connected());
    }

    @Test
    void slack_aMentionWithAnImageReachesGeminiAsInlineData_downloadedWithTheBotToken() throws Exception {
        FakeSlack slack = slack();
        Service service = service(slackYaml(slack), Api.GEMINI, "gemini-2.5-flash");
        awaitSlack(slack, service);
        byte[] png = SampleFiles.png(40, 30);

        String ts = slack.postWithFiles("C1", "U1", "<@" + FakeSlack.BOT_USER + "> what is this?",
                FakeSlackFiles.Shared.of("square.png", "image/png", png));

        await().atMost(Duration.ofSeconds(10)).until(() -> botTexts(slack, "C1", ts).contains(ANSWER));
        assertThat(ProviderMedia.of(provider.received().getFirst())).singleElement().satisfies(m -> {
            assertThat(m.mediaType()).isEqualTo("image/png");
            assertThat(m.bytes()).isEqualTo(png);
        });
        // Gemini's inline_data part, in the lowerCamelCase JSON name LangChain4j writes (the API takes both).
        assertThat(provider.received().getFirst().body().toString()).contains("\"inlineData\":{\"mimeType\"");
        assertThat(slack.sharedFiles().served()).isEqualTo(1); // once, though Slack sent two events for it
        assertThat(slack.sharedFiles().refused()).isZero();

        // Slack's file host answers 401 to a download without the bot token.
        String url = "http://127.0.0.1:" + slack.port() + "/files-user/" + FakeSlack.TEAM + "-F000000001U/square.png";
        HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    @Test
    void slack_aFollowUpInTheThreadWithAFileIsRead_withoutAMention() {
        FakeSlack slack = slack();
        Service service = service(slackYaml(slack), Api.OPENAI, "gpt-4o");
        awaitSlack(slack, service);
        String ts = slack.post("C1", "U1", "<@" + FakeSlack.BOT_USER + "> I will send you the log");
        await().atMost(Duration.ofSeconds(10)).until(() -> botTexts(slack, "C1", ts).contains(ANSWER));

        slack.replyWithFiles("C1", ts, "U1", "here it is", FakeSlackFiles.Shared.of("app.log", "text/plain",
                "NullPointerException at Main.java:42".getBytes(StandardCharsets.UTF_8)));

        await().atMost(Duration.ofSeconds(10)).until(() -> provider.requests() == 2);
        assertThat(ProviderMedia.text(provider.received().get(1))).contains("I will send you the log")
                .contains("File app.log:").contains("NullPointerException at Main.java:42");
    }

    @Test
    void slack_aDirectMessageThatIsOnlyAFileIsAnswered_OllamaGetsItsImages() {
        FakeSlack slack = slack();
        Service service = service(slackYaml(slack), Api.OLLAMA, "llava:13b");
        awaitSlack(slack, service);
        byte[] jpeg = SampleFiles.jpeg(20, 20);

        slack.dmWithFiles("U1", "", FakeSlackFiles.Shared.of("photo.jpg", "image/jpeg", jpeg));

        await().atMost(Duration.ofSeconds(10)).until(() -> provider.requests() == 1);
        FakeProvider.Received sent = provider.received().getFirst();
        assertThat(ProviderMedia.of(sent)).singleElement().satisfies(m -> assertThat(m.bytes()).isEqualTo(jpeg));
        assertThat(ProviderMedia.text(sent)).contains("Describe this.");
    }

    @Test
    void slack_aFileLargerThanItClaimsIsCutOffAtTheLimit_andTheMessageIsStillAnswered() {
        FakeSlack slack = slack();
        Service service = service(slackYaml(slack), Api.OPENAI, "gpt-4o");
        awaitSlack(slack, service);

        // 50 MB made as they are sent, declared as 1 KB: the read stops at the 20 MB limit.
        String ts = slack.postWithFiles("C1", "U1", "<@" + FakeSlack.BOT_USER + "> summarise the log",
                FakeSlackFiles.Shared.generated("huge.log", "text/plain", 50L << 20, 1024),
                FakeSlackFiles.Shared.of("notes.txt", "text/plain", "disk is full".getBytes(StandardCharsets.UTF_8)));

        await().atMost(Duration.ofSeconds(20)).until(() -> botTexts(slack, "C1", ts).stream()
                .anyMatch(t -> t.contains("I could not read huge.log: it is larger than the 20 MB limit.")));
        assertThat(ProviderMedia.text(provider.received().getFirst())).contains("File notes.txt:")
                .contains("disk is full");
    }

    // ---- Discord ----

    private static final String ADA = "300000000000000001";
    private static final String GENERAL = "400000000000000001";

    private FakeDiscord discord() {
        FakeDiscord discord = FakeDiscord.start();
        closing.add(discord);
        discord.user(ADA, "ada").textChannel(GENERAL, "general");
        return discord;
    }

    private static String discordYaml(FakeDiscord discord, String cdn) {
        return """
                discord:
                  token: %s
                  rest_url: %s
                  gateway_url: %s
                  cdn_url: %s
                """.formatted(FakeDiscord.TOKEN, discord.restUrl(), discord.gatewayUrl(), cdn);
    }

    private static List<String> discordBot(FakeDiscord discord, String channel) {
        return discord.messages(channel).stream().filter(m -> FakeDiscord.BOT_ID.equals(m.author()))
                .map(FakeDiscord.Message::content).toList();
    }

    @Test
    void discord_aMentionWithAnImageReachesOpenAiAsADataUrl_fromTheCdn() {
        FakeDiscord discord = discord();
        Service service = service(discordYaml(discord, discord.cdnUrl()), Api.OPENAI, "gpt-4o");
        await().until(() -> service.discord().connected());
        byte[] gif = SampleFiles.gif(16, 16);

        String id = discord.postWithFiles(GENERAL, ADA, "<@" + FakeDiscord.BOT_ID + "> and this?",
                new FakeDiscordFiles.File("dance.gif", "image/gif", gif));

        await().atMost(Duration.ofSeconds(15)).until(() -> discordBot(discord, id).contains(ANSWER));
        // A GIF goes as the PNG of its first frame.
        ProviderMedia.Media sent = ProviderMedia.of(provider.received().getFirst()).getFirst();
        assertThat(sent.mediaType()).isEqualTo("image/png");
        assertThat(sent.bytes()).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }

    @Test
    void discord_aDirectMessageThatIsOnlyAPdfGoesToAnthropicAsADocument() {
        FakeDiscord discord = discord();
        Service service = service(discordYaml(discord, discord.cdnUrl()), Api.ANTHROPIC, "claude-sonnet-4-5");
        await().until(() -> service.discord().connected());
        byte[] pdf = SampleFiles.pdf("Quarterly numbers");

        discord.dmWithFiles(ADA, "", new FakeDiscordFiles.File("q3.pdf", "application/pdf", pdf));

        await().atMost(Duration.ofSeconds(15)).until(() -> provider.requests() == 1);
        assertThat(ProviderMedia.of(provider.received().getFirst())).singleElement().satisfies(m -> {
            assertThat(m.mediaType()).isEqualTo("application/pdf");
            assertThat(m.bytes()).isEqualTo(pdf);
        });
    }

    @Test
    void discord_anAttachmentOffTheConfiguredCdnIsNeverFetched_andTheAnswerSaysSo() {
        FakeDiscord discord = discord();
        Service service = service(discordYaml(discord, "https://cdn.discordapp.com/"), Api.OPENAI, "gpt-4o");
        await().until(() -> service.discord().connected());

        String id = discord.postWithFiles(GENERAL, ADA, "<@" + FakeDiscord.BOT_ID + "> read this",
                new FakeDiscordFiles.File("a.txt", "text/plain", "hello".getBytes(StandardCharsets.UTF_8)));

        await().atMost(Duration.ofSeconds(15)).until(() -> discordBot(discord, id).stream()
                .anyMatch(t -> t.contains("I could not read a.txt: it is not on Discord's file host.")));
    }
}

package dev.switchboard.testing;

import static dev.switchboard.testing.FakeSlack.BOT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.model.assistant.SuggestedPrompt;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** FakeSlack's agent view through the real Slack client: what it accepts, refuses and records. */
class FakeSlackAgentTest {

    private FakeSlack fake;
    private Slack slack;
    private MethodsClient api;

    @BeforeEach
    void setUp() {
        fake = FakeSlack.start().user("U1", "Ada").channel("C1", "general").channelWithoutBot("C2", "random")
                .channel("G1", "private");
        fake.agent().members("C1", "U1").members("C2", "U1");
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(fake.apiUrl());
        slack = Slack.getInstance(config);
        api = slack.methods(BOT_TOKEN);
    }

    @AfterEach
    void tearDown() throws Exception {
        fake.close();
        slack.close();
    }

    private static List<SuggestedPrompt> prompts(int n) {
        return Collections.nCopies(n, new SuggestedPrompt("Title", "Message"));
    }

    @Test
    void suggestedPromptsAreAtMostFourWithTitlesAndMessages_andAThreadTsSilentlyDoesNothingForAnAgentApp()
            throws Exception {
        String dm = fake.dm("U1", "hi");
        assertThat(api.assistantThreadsSetSuggestedPrompts(r -> r.channelId("DU1").title("Try")
                .prompts(prompts(4))).isOk()).isTrue();
        assertThat(api.assistantThreadsSetSuggestedPrompts(r -> r.channelId("DU1").prompts(prompts(5))).getError())
                .isEqualTo("invalid_arguments");
        assertThat(api.assistantThreadsSetSuggestedPrompts(r -> r.channelId("DU1")
                .prompts(List.of(new SuggestedPrompt("", "m")))).getError()).isEqualTo("invalid_arguments");
        assertThat(api.assistantThreadsSetSuggestedPrompts(r -> r.channelId("DX").prompts(prompts(1))).getError())
                .isEqualTo("channel_not_found");
        assertThat(api.assistantThreadsSetSuggestedPrompts(r -> r.channelId("DU1").threadTs(dm).prompts(prompts(1)))
                .isOk()).isTrue();
        assertThat(fake.agent().suggestedPrompts()).singleElement().satisfies(p -> {
            assertThat(p.channel()).isEqualTo("DU1");
            assertThat(p.title()).isEqualTo("Try");
            assertThat(p.prompts()).hasSize(4);
        });
    }

    @Test
    void titlesNeedAThread_andLoadingMessagesAreOneToTenOfAtMostFiftyCharacters() throws Exception {
        String dm = fake.dm("U1", "hi");
        assertThat(api.assistantThreadsSetTitle(r -> r.channelId("DU1").threadTs(dm).title("Hi")).isOk()).isTrue();
        assertThat(api.assistantThreadsSetTitle(r -> r.channelId("DU1").threadTs("1.000001").title("x"))
                .getError()).isEqualTo("invalid_thread_ts");
        assertThat(fake.agent().titles("DU1", dm)).containsExactly("Hi");

        assertThat(api.assistantThreadsSetStatus(r -> r.channelId("DU1").threadTs(dm).status("is thinking…")
                .loadingMessages(List.of("One", "Two"))).isOk()).isTrue();
        assertThat(api.assistantThreadsSetStatus(r -> r.channelId("DU1").threadTs(dm).status("is thinking…")
                .loadingMessages(Collections.nCopies(11, "x"))).getError()).isEqualTo("invalid_arguments");
        assertThat(api.assistantThreadsSetStatus(r -> r.channelId("DU1").threadTs(dm).status("is thinking…")
                .loadingMessages(List.of("y".repeat(51)))).getError()).isEqualTo("invalid_arguments");
        assertThat(fake.agent().loadingMessages("DU1", dm)).containsExactly(List.of("One", "Two"));
    }

    @Test
    void membersAndHistoryFollowMembership_andTheNewMethodsHaveLimits() throws Exception {
        assertThat(api.conversationsMembers(r -> r.channel("C1")).getMembers()).containsExactly("U1",
                FakeSlack.BOT_USER);
        assertThat(api.conversationsMembers(r -> r.channel("C2")).getMembers()).containsExactly("U1");
        assertThat(api.conversationsMembers(r -> r.channel("G9")).getError()).isEqualTo("channel_not_found");
        assertThat(api.conversationsHistory(r -> r.channel("C2")).getError()).isEqualTo("not_in_channel");
        var paged = api.conversationsMembers(r -> r.channel("C1").limit(1));
        assertThat(paged.getMembers()).containsExactly("U1");
        String next = paged.getResponseMetadata().getNextCursor();
        assertThat(api.conversationsMembers(r -> r.channel("C1").limit(1).cursor(next)).getMembers())
                .containsExactly(FakeSlack.BOT_USER);

        fake.limit("assistant.threads.setTitle", 1, Duration.ofMinutes(1), FakeSlack.Scope.WORKSPACE);
        String dm = fake.dm("U1", "hi");
        api.assistantThreadsSetTitle(r -> r.channelId("DU1").threadTs(dm).title("a"));
        try {
            api.assistantThreadsSetTitle(r -> r.channelId("DU1").threadTs(dm).title("b"));
        } catch (com.slack.api.methods.SlackApiException e) {
            assertThat(e.getResponse().code()).isEqualTo(429);
        }
        assertThat(fake.rateLimited("assistant.threads.setTitle")).isEqualTo(1);
    }
}

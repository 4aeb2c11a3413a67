package dev.switchboard.adapter.slack;

import com.slack.api.app_backend.interactive_components.payload.BlockActionPayload;
import com.slack.api.bolt.App;
import com.slack.api.model.block.ContextActionsBlock;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.MarkdownBlock;
import com.slack.api.model.block.SectionBlock;
import com.slack.api.model.block.composition.FeedbackButtonObject;
import com.slack.api.model.block.composition.MarkdownTextObject;
import com.slack.api.model.block.composition.PlainTextObject;
import com.slack.api.model.block.element.FeedbackButtonsElement;
import dev.switchboard.answering.Verdicts;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 👍 / 👎 on Slack answers: the feedback buttons block (a {@code context_actions} block holding a
 * {@code feedback_buttons} element, as Slack's AI app samples have it) on an answer's last message, and the
 * {@code block_actions} its presses arrive as (Socket Mode or the HTTP Request URL; the app needs interactivity on).
 * A press is taken only from this workspace and with one of the two values; whether the message is one of the bot's
 * answers in that thread is for {@link Verdicts} to decide. The presser is answered privately. Thread-safe.
 */
final class SlackFeedback {

    private static final Logger log = LoggerFactory.getLogger(SlackFeedback.class);

    static final String ACTION_ID = "switchboard_feedback";
    static final String GOOD = "good";
    static final String BAD = "bad";
    static final String OTHER_WORKSPACE = "That feedback can't be taken: it comes from another workspace.";
    /** Slack's limit on a section block's text. */
    static final int SECTION_CHARS = 3_000;

    private final Verdicts verdicts;
    private final SlackApi api;
    private final String team;

    SlackFeedback(Verdicts verdicts, SlackApi api, String team) {
        this.verdicts = verdicts;
        this.api = api;
        this.team = team;
    }

    void register(App app) {
        app.blockAction(ACTION_ID, (req, ctx) -> {
            press(req.getPayload());
            return ctx.ack();
        });
    }

    /** The buttons block; a new block id each time, as Slack asks of blocks in an updated message. */
    static LayoutBlock buttons(String messageTs) {
        FeedbackButtonsElement element = FeedbackButtonsElement.builder()
                .actionId(ACTION_ID)
                .positiveButton(FeedbackButtonObject.builder().text(PlainTextObject.builder().text("👍").build())
                        .accessibilityLabel("Good answer").value(GOOD).build())
                .negativeButton(FeedbackButtonObject.builder().text(PlainTextObject.builder().text("👎").build())
                        .accessibilityLabel("Bad answer").value(BAD).build())
                .build();
        return ContextActionsBlock.builder().blockId("feedback-" + messageTs).elements(List.of(element)).build();
    }

    /**
     * Blocks showing a message's mrkdwn text as it is, then the buttons: a message with blocks shows its blocks, not
     * its text, so the text goes into section blocks (at most {@value #SECTION_CHARS} characters each, cut at a line
     * break where there is one).
     */
    static List<LayoutBlock> withMrkdwn(String text, String messageTs) {
        List<LayoutBlock> blocks = new ArrayList<>();
        String rest = text;
        while (!rest.isEmpty()) {
            int cut = rest.length() <= SECTION_CHARS ? rest.length() : cutAt(rest);
            blocks.add(SectionBlock.builder().text(MarkdownTextObject.builder().text(rest.substring(0, cut))
                    .verbatim(true).build()).build());
            rest = rest.substring(cut);
        }
        blocks.add(buttons(messageTs));
        return blocks;
    }

    /** Blocks showing a message's standard Markdown (a stopped stream's) as it is, then the buttons. */
    static List<LayoutBlock> withMarkdown(String markdown, String messageTs) {
        return List.of(MarkdownBlock.builder().text(markdown).build(), buttons(messageTs));
    }

    private static int cutAt(String text) {
        int newline = text.lastIndexOf('\n', SECTION_CHARS - 1);
        int cut = newline > SECTION_CHARS / 2 ? newline + 1 : SECTION_CHARS;
        // Never between the two halves of a surrogate pair.
        return Character.isLowSurrogate(text.charAt(cut)) ? cut - 1 : cut;
    }

    private void press(BlockActionPayload p) {
        String user = p.getUser() == null ? null : p.getUser().getId();
        BlockActionPayload.Container c = p.getContainer();
        if (user == null || c == null || c.getChannelId() == null || c.getMessageTs() == null) {
            log.warn("slack: refused a feedback press without a user, channel or message");
            return;
        }
        String channel = c.getChannelId();
        String threadTs = c.getThreadTs();
        String from = p.getTeam() == null ? null : p.getTeam().getId();
        if (!team.equals(from)) {
            log.warn("slack: refused a feedback press from another workspace");
            api.ephemeral(channel, user, OTHER_WORKSPACE, threadTs);
            return;
        }
        Optional<Verdict> verdict = p.getActions() == null ? Optional.empty() : p.getActions().stream()
                .filter(a -> ACTION_ID.equals(a.getActionId())).findFirst()
                .flatMap(a -> Verdict.ofLabel(a.getValue()));
        if (verdict.isEmpty()) {
            log.warn("slack: refused a feedback press with a value the buttons never carry");
            api.ephemeral(channel, user, Verdicts.NOT_AN_ANSWER, threadTs);
            return;
        }
        String thread = threadTs != null ? threadTs
                : SlackPlaces.isDm(channel) ? SlackPlaces.DM_THREAD : c.getMessageTs();
        ConversationKey key = SlackPlaces.key(team, channel, thread);
        Verdicts.Result result = verdicts.give(key, c.getMessageTs(), user, verdict.get());
        api.ephemeral(channel, user, result.userMessage(), threadTs);
    }
}

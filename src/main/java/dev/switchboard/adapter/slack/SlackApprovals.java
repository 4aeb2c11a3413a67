package dev.switchboard.adapter.slack;

import com.slack.api.app_backend.interactive_components.payload.BlockActionPayload;
import com.slack.api.bolt.App;
import com.slack.api.model.block.ActionsBlock;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.SectionBlock;
import com.slack.api.model.block.composition.MarkdownTextObject;
import com.slack.api.model.block.composition.PlainTextObject;
import com.slack.api.model.block.element.ButtonElement;
import dev.switchboard.routing.ToolStatus;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Approve / Deny buttons for {@code confirm}ed tools: a message in the reply's thread (in a DM answered outside a
 * thread, the DM itself) with two block-action buttons;
 * a press from the user who asked (or an operator) decides, anyone else is told privately that it is not theirs to
 * decide. The message then says who decided. Thread-safe.
 */
final class SlackApprovals {

    private static final Logger log = LoggerFactory.getLogger(SlackApprovals.class);

    static final String APPROVE = "switchboard_tool_approve";
    static final String DENY = "switchboard_tool_deny";
    static final String NOT_YOURS = "Only the person who asked (or an operator) can approve this tool call.";

    private record Pending(String asker, String channel, String ts, String call, CompletableFuture<Boolean> answer) { }

    private final SlackApi api;
    private final String team;
    private final BiPredicate<String, String> operator;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    /** @param operator whether a user (team, user) is an operator */
    SlackApprovals(SlackApi api, String team, BiPredicate<String, String> operator) {
        this.api = api;
        this.team = team;
        this.operator = operator;
    }

    void register(App app) {
        app.blockAction(APPROVE, (req, ctx) -> {
            press(req.getPayload(), true);
            return ctx.ack();
        });
        app.blockAction(DENY, (req, ctx) -> {
            press(req.getPayload(), false);
            return ctx.ack();
        });
    }

    /** How a reply in {@code threadTs} of {@code channel} asks about {@code asker}'s tool calls. */
    java.util.function.Function<ToolStatus, CompletableFuture<Boolean>> asking(String channel, String threadTs,
                                                                               String asker) {
        return call -> ask(channel, threadTs, asker, call);
    }

    CompletableFuture<Boolean> ask(String channel, String threadTs, String asker, ToolStatus call) {
        String id = UUID.randomUUID().toString();
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        String text = "Run *" + SlackMarkdown.escape(call.tool()) + "*"
                + (call.arguments().isEmpty() ? "" : " (" + SlackMarkdown.escape(call.arguments()) + ")")
                + "? Only <@" + asker + "> or an operator can approve.";
        List<LayoutBlock> blocks = List.of(
                SectionBlock.builder().text(MarkdownTextObject.builder().text(text).build()).build(),
                ActionsBlock.builder().blockId("tool-approval-" + id).elements(List.of(
                        ButtonElement.builder().actionId(APPROVE).value(id).style("primary")
                                .text(PlainTextObject.builder().text("Approve").build()).build(),
                        ButtonElement.builder().actionId(DENY).value(id).style("danger")
                                .text(PlainTextObject.builder().text("Deny").build()).build())).build());
        api.postBlocks(channel, threadTs, "Approve " + call.tool() + "?", blocks).whenComplete((ts, error) -> {
            if (error != null) {
                log.warn("slack: the approval question could not be posted: {}", SlackApi.error(error));
                answer.complete(false);
                return;
            }
            pending.put(id, new Pending(asker, channel, ts, call.tool(), answer));
        });
        // Whatever ends it (a press, the timeout, the reply's end), the buttons go.
        answer.whenComplete((approved, error) -> {
            Pending p = pending.remove(id);
            if (p != null) {
                String outcome = Boolean.TRUE.equals(approved) ? "✅ Approved: " : "🚫 Not approved: ";
                api.update(p.channel(), p.ts(), outcome + p.call()).exceptionally(e -> null);
            }
        });
        return answer;
    }

    private void press(BlockActionPayload p, boolean approve) {
        String user = p.getUser() == null ? null : p.getUser().getId();
        String channel = p.getContainer() == null ? null : p.getContainer().getChannelId();
        String threadTs = p.getContainer() == null ? null : p.getContainer().getThreadTs();
        String value = p.getActions() == null ? null : p.getActions().stream()
                .filter(a -> APPROVE.equals(a.getActionId()) || DENY.equals(a.getActionId()))
                .map(BlockActionPayload.Action::getValue).findFirst().orElse(null);
        Pending waiting = value == null ? null : pending.get(value);
        if (user == null || channel == null || waiting == null || !waiting.channel().equals(channel)) {
            log.warn("slack: refused an approval press for no pending tool call");
            if (user != null && channel != null) {
                api.ephemeral(channel, user, "That tool call is no longer waiting for approval.", threadTs);
            }
            return;
        }
        String from = p.getTeam() == null ? null : p.getTeam().getId();
        if (!team.equals(from) || !(user.equals(waiting.asker()) || operator.test(team, user))) {
            api.ephemeral(channel, user, NOT_YOURS, threadTs);
            return;
        }
        waiting.answer().complete(approve);
    }
}

package dev.switchboard.adapter.discord;

import dev.switchboard.routing.ToolStatus;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import net.dv8tion.jda.api.components.actionrow.ActionRow;
import net.dv8tion.jda.api.components.buttons.Button;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.entities.Member;
import net.dv8tion.jda.api.entities.Role;
import net.dv8tion.jda.api.utils.messages.MessageCreateBuilder;
import net.dv8tion.jda.api.utils.messages.MessageCreateData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Approve / Deny buttons for {@code confirm}ed tools: a message in the reply's channel or thread (for {@code /ask},
 * the interaction's response or a follow-up) with two buttons
 * (custom ids {@code tool:y:<id>} and {@code tool:n:<id>}); a click from the user who asked (or an operator) decides
 * and the message says how, anyone else gets an ephemeral refusal. Mentions are never parsed. Thread-safe.
 */
final class DiscordApprovals extends ListenerAdapter {

    private static final Logger log = LoggerFactory.getLogger(DiscordApprovals.class);
    static final String PREFIX = "tool:";
    static final String NOT_YOURS = "Only the person who asked (or an operator) can approve this tool call.";

    private record Pending(String asker, String tool, CompletableFuture<Boolean> answer) { }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    /** Whether a user (id, role ids) is an operator. */
    private final BiPredicate<String, List<String>> operator;

    DiscordApprovals(BiPredicate<String, List<String>> operator) {
        this.operator = operator;
    }

    /** How a reply in {@code place} asks about {@code asker}'s tool calls. */
    java.util.function.Function<ToolStatus, CompletableFuture<Boolean>> asking(
            CompletableFuture<ChannelSink.Place> place, String asker) {
        return call -> place.thenCompose(p -> ask(question -> Writes.submit(() -> p.channel().sendMessage(question)),
                asker, call));
    }

    /**
     * How a reply that writes through {@code send} (an {@code /ask} interaction's response or follow-ups) asks about
     * {@code asker}'s tool calls; the clicks arrive as component interactions like any other.
     */
    java.util.function.Function<ToolStatus, CompletableFuture<Boolean>> asking(
            java.util.function.Function<MessageCreateData, CompletableFuture<?>> send, String asker) {
        return call -> ask(send, asker, call);
    }

    private CompletableFuture<Boolean> ask(java.util.function.Function<MessageCreateData, CompletableFuture<?>> send,
                                           String asker, ToolStatus call) {
        String id = UUID.randomUUID().toString().replace("-", "");
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        pending.put(id, new Pending(asker, call.tool(), answer));
        String text = "Run **" + DiscordMarkdown.FORMAT.format(call.tool()) + "**"
                + (call.arguments().isEmpty() ? "" : " (" + DiscordMarkdown.FORMAT.format(call.arguments()) + ")")
                + "? Only the person who asked or an operator can approve.";
        MessageCreateData question = new MessageCreateBuilder().setContent(text).setAllowedMentions(List.of())
                .mentionRepliedUser(false).setComponents(ActionRow.of(Button.success(PREFIX + "y:" + id, "Approve"),
                        Button.danger(PREFIX + "n:" + id, "Deny"))).build();
        send.apply(question).whenComplete((ok, error) -> {
            if (error != null) {
                log.warn("discord: the approval question could not be posted: {}", error.toString());
                answer.complete(false);
            }
        });
        answer.whenComplete((a, e) -> pending.remove(id));
        return answer;
    }

    @Override
    public void onButtonInteraction(ButtonInteractionEvent event) {
        String custom = event.getComponentId();
        if (custom == null || !custom.startsWith(PREFIX) || custom.length() < PREFIX.length() + 3) {
            return; // someone else's button
        }
        boolean approve = custom.charAt(PREFIX.length()) == 'y';
        Pending waiting = pending.get(custom.substring(PREFIX.length() + 2));
        if (waiting == null) {
            event.reply("That tool call is no longer waiting for approval.").setEphemeral(true)
                    .queue(ok -> { }, e -> { });
            return;
        }
        String user = event.getUser().getId();
        Member member = event.getMember();
        List<String> roles = member == null ? List.of() : member.getRoles().stream().map(Role::getId).toList();
        if (!user.equals(waiting.asker()) && !operator.test(user, roles)) {
            event.reply(NOT_YOURS).setEphemeral(true).queue(ok -> { }, e -> { });
            return;
        }
        String outcome = (approve ? "✅ Approved: " : "🚫 Not approved: ")
                + DiscordMarkdown.FORMAT.format(waiting.tool());
        event.reply(approve ? "Approved." : "Denied.").setEphemeral(true).queue(ok -> { }, e -> { });
        // Through the channel: a component's message edited through the interaction's webhook is refused when it
        // is not the interaction's own response.
        event.getMessageChannel().editMessageById(event.getMessageId(), outcome).setComponents()
                .setAllowedMentions(List.of())
                .queue(ok -> { }, e -> log.debug("discord: an approval message could not be updated: {}",
                        e.toString()));
        waiting.answer().complete(approve);
    }
}

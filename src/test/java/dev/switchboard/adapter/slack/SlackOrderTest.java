package dev.switchboard.adapter.slack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlackOrderTest {

    private static String event(String fields) {
        return "{\"type\":\"event_callback\",\"event\":{" + fields + "}}";
    }

    @Test
    void eventKey_aTopLevelMentionAndTheRepliesUnderItShareOneKey() {
        String mention = SlackOrder.eventKey(event("\"type\":\"app_mention\",\"channel\":\"C1\","
                + "\"ts\":\"100.000100\""));
        String message = SlackOrder.eventKey(event("\"type\":\"message\",\"channel\":\"C1\",\"ts\":\"100.000100\""));
        String reply = SlackOrder.eventKey(event("\"type\":\"message\",\"channel\":\"C1\",\"ts\":\"101.000100\","
                + "\"thread_ts\":\"100.000100\""));
        assertThat(mention).isEqualTo(message).isEqualTo(reply);
    }

    @Test
    void eventKey_otherThreadsAndChannelsHaveOtherKeys() {
        String a = SlackOrder.eventKey(event("\"channel\":\"C1\",\"ts\":\"100.000100\""));
        assertThat(SlackOrder.eventKey(event("\"channel\":\"C1\",\"ts\":\"102.000100\""))).isNotEqualTo(a);
        assertThat(SlackOrder.eventKey(event("\"channel\":\"C2\",\"ts\":\"100.000100\""))).isNotEqualTo(a);
    }

    @Test
    void eventKey_editsAndDeletionsFollowTheirMessagesThread() {
        String reply = SlackOrder.eventKey(event("\"channel\":\"C1\",\"ts\":\"101.000100\","
                + "\"thread_ts\":\"100.000100\""));
        String edit = SlackOrder.eventKey(event("\"channel\":\"C1\",\"subtype\":\"message_changed\","
                + "\"ts\":\"105.000000\",\"message\":{\"ts\":\"101.000100\",\"thread_ts\":\"100.000100\"}"));
        String deletion = SlackOrder.eventKey(event("\"channel\":\"C1\",\"subtype\":\"message_deleted\","
                + "\"ts\":\"106.000000\",\"deleted_ts\":\"101.000100\","
                + "\"previous_message\":{\"ts\":\"101.000100\",\"thread_ts\":\"100.000100\"}"));
        assertThat(edit).isEqualTo(reply);
        assertThat(deletion).isEqualTo(reply);
    }

    @Test
    void eventKey_unthreadedDirectMessagesAreOneConversation() {
        assertThat(SlackOrder.eventKey(event("\"channel\":\"DU1\",\"ts\":\"100.000100\"")))
                .isEqualTo(SlackOrder.eventKey(event("\"channel\":\"DU1\",\"ts\":\"200.000100\"")));
    }

    @Test
    void envelopeKey_keysEventsCommandsAndActionsAsBoltsRequestsAreKeyed() {
        String reply = SlackOrder.eventKey(event("\"channel\":\"C1\",\"ts\":\"101.000100\","
                + "\"thread_ts\":\"100.000100\""));
        assertThat(SlackOrder.envelopeKey("{\"envelope_id\":\"e1\",\"type\":\"events_api\",\"payload\":"
                + event("\"channel\":\"C1\",\"ts\":\"101.000100\",\"thread_ts\":\"100.000100\"") + "}"))
                .isEqualTo(reply);
        assertThat(SlackOrder.envelopeKey("{\"type\":\"slash_commands\",\"payload\":{\"command\":\"/ask\","
                + "\"channel_id\":\"C1\",\"user_id\":\"U1\"}}")).isEqualTo("C1 /U1");
        assertThat(SlackOrder.envelopeKey("{\"type\":\"interactive\",\"payload\":{\"type\":\"block_actions\","
                + "\"container\":{\"channel_id\":\"C1\",\"message_ts\":\"101.000100\","
                + "\"thread_ts\":\"100.000100\"}}}")).isEqualTo(reply);
        assertThat(SlackOrder.envelopeKey("{\"type\":\"interactive\",\"payload\":{\"type\":\"shortcut\"}}"))
                .isEqualTo(SlackOrder.NO_CHANNEL);
    }

    @Test
    void envelopeKey_whatIsNotARequestHasNoKey() {
        assertThat(SlackOrder.envelopeKey("{\"type\":\"hello\",\"num_connections\":1}")).isNull();
        assertThat(SlackOrder.envelopeKey("{\"type\":\"disconnect\",\"reason\":\"refresh_requested\"}")).isNull();
        assertThat(SlackOrder.envelopeKey("not json")).isNull();
    }

    @Test
    void eventKey_anEventWithoutAChannelOrUnreadableHasTheCommonKey() {
        assertThat(SlackOrder.eventKey(event("\"type\":\"app_home_opened\""))).isEqualTo(SlackOrder.NO_CHANNEL);
        assertThat(SlackOrder.eventKey("not json")).isEqualTo(SlackOrder.NO_CHANNEL);
    }
}

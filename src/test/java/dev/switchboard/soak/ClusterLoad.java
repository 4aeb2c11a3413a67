package dev.switchboard.soak;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testing.FakeDiscord;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.FakeSlack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cluster soak's users: each slot is one user (on every third slot two users) in a thread on Slack or Discord,
 * sending a question, waiting for its answer to show, thinking a moment, sending the next; after a few turns a new
 * thread. Questions carry a key {@code q<thread>x<n>} (n counts the thread's messages in platform order); the fake
 * provider answers the last key in the prompt with a text of its own ({@link #answer}) and records every prompt's
 * keys, so each answer's context can be checked: exactly the thread's messages up to the one answered.
 */
final class ClusterLoad implements AutoCloseable {

    enum Where { SLACK, DISCORD }

    /** One user message as sent: its thread and number there, where it is, its platform id, when. */
    record Sent(Where where, int thread, int n, String channel, String place, String id, String user, Instant at) {
        String key() {
            return ClusterLoad.key(thread, n);
        }
    }

    /** A prompt the provider got: the key it answered, the question keys of its user messages in order, and when. */
    record Prompt(String answered, List<String> keys, Instant at) { }

    static final Pattern KEY = Pattern.compile("q(\\d+)x(\\d+)");
    private static final int TURNS_PER_THREAD = 4;
    private static final String[] WORDS = ("the quick brown fox jumps over a lazy dog while seven sleepy owls watch"
            + " from old oak trees near quiet rivers under pale winter skies").split(" ");

    private final FakeSlack slack;
    private final FakeDiscord discord;
    private final ScheduledExecutorService load = Executors.newScheduledThreadPool(4);
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final List<Prompt> prompts = new CopyOnWriteArrayList<>();
    private final AtomicInteger threads = new AtomicInteger();
    private final AtomicInteger gaveUp = new AtomicInteger();
    /** Held (read) while a Discord message is sent and noted; taken (write) to stop Discord users for a while. */
    private final ReadWriteLock discordGate = new ReentrantReadWriteLock();
    private volatile boolean discordUp = true;
    private volatile boolean sending;

    ClusterLoad(FakeSlack slack, FakeDiscord discord) {
        this.slack = slack;
        this.discord = discord;
    }

    static String key(int thread, int n) {
        return "q" + thread + "x" + n;
    }

    static String slackUser(int i) {
        return "U" + (2000 + i);
    }

    static String slackChannel(int j) {
        return "C" + (200 + j);
    }

    static String discordUser(int i) {
        return Long.toString(300_000_000_000_000_000L + i);
    }

    static String discordChannel(int j) {
        return Long.toString(400_000_000_000_000_000L + j);
    }

    /** The answer to a question key: the key's number as {@code a<thread>x<n>}, then words of its own, ended by a dot. */
    static String answer(String key) {
        Matcher m = KEY.matcher(key);
        if (!m.matches()) {
            throw new IllegalArgumentException(key);
        }
        int seed = Math.abs(key.hashCode());
        StringBuilder text = new StringBuilder("a" + m.group(1) + "x" + m.group(2));
        for (int i = 0; i < 24 + seed % 12; i++) {
            text.append(' ').append(WORDS[(seed + i * 7) % WORDS.length]);
        }
        return text.append('.').toString();
    }

    /** The provider's side: answers the last question in the prompt, streamed over about a second and a half. */
    Script script(FakeProvider.Received r) {
        List<String> keys = new ArrayList<>();
        for (JsonNode message : r.body().path("messages")) {
            if (message.path("role").asText().equals("user")) {
                Matcher m = KEY.matcher(message.path("content").toString());
                while (m.find()) {
                    keys.add(m.group());
                }
            }
        }
        if (keys.isEmpty()) {
            return Script.answer("No question here.");
        }
        String answered = keys.getLast();
        prompts.add(new Prompt(answered, List.copyOf(keys), Instant.now()));
        return Script.answer(answer(answered)).paced(Duration.ofMillis(150), Duration.ofMillis(40));
    }

    /** Users, channels and platform limits for {@code slots} users and their buddies. */
    void world(int slots, int channels) {
        for (int i = 0; i <= slots; i++) {
            slack.user(slackUser(i), "user" + i);
            if (discord != null) {
                discord.user(discordUser(i), "user" + i);
            }
        }
        for (int j = 0; j < channels; j++) {
            slack.channel(slackChannel(j), "cluster-" + j);
            if (discord != null) {
                discord.textChannel(discordChannel(j), "cluster-" + j);
            }
        }
    }

    /** Starts {@code slots} users; slot {@code i} is on Discord when {@code onDiscord} says so. */
    void start(int slots, int channels, java.util.function.IntPredicate onDiscord) {
        sending = true;
        for (int i = 0; i < slots; i++) {
            Slot s = new Slot(i, onDiscord.test(i) ? Where.DISCORD : Where.SLACK, channels);
            load.schedule(s::step, 97L * i % 2000, TimeUnit.MILLISECONDS);
        }
    }

    /** Users stop sending new questions (they still wait for the answers to the last ones). */
    void stopSending() {
        sending = false;
    }

    void resumeSending() {
        sending = true;
    }

    /**
     * Discord users stop (the node running the shard they are on goes down: Discord does not redeliver); returns
     * the ids of every Discord message sent so far, none being sent right now.
     */
    List<String> pauseDiscord() {
        discordGate.writeLock().lock();
        try {
            discordUp = false;
            return sent.stream().filter(s -> s.where() == Where.DISCORD).map(Sent::id).toList();
        } finally {
            discordGate.writeLock().unlock();
        }
    }

    void resumeDiscord() {
        discordUp = true;
    }

    List<Sent> sent() {
        return List.copyOf(sent);
    }

    List<Prompt> prompts() {
        return List.copyOf(prompts);
    }

    int gaveUp() {
        return gaveUp.get();
    }

    /** Every question sent has its whole answer shown. */
    boolean settled() {
        for (Sent s : sent) {
            if (!shown(s)) {
                return false;
            }
        }
        return true;
    }

    /** The questions whose answer does not show (yet). */
    List<String> unshown() {
        return sent.stream().filter(s -> !shown(s)).map(s -> s.where() + " " + s.key() + " (" + s.id() + " in "
                + s.place() + ")").toList();
    }

    private boolean shown(Sent s) {
        String answer = answer(s.key());
        List<String> texts = s.where() == Where.SLACK
                ? slack.thread(s.channel(), s.place()).stream().filter(m -> FakeSlack.BOT_USER.equals(m.user())
                        && !m.deleted()).map(FakeSlack.Message::text).toList()
                : discord.messages(s.place()).stream().filter(m -> FakeDiscord.BOT_ID.equals(m.author())
                        && !m.deleted()).map(FakeDiscord.Message::content).toList();
        return texts.stream().anyMatch(t -> t.startsWith(answer) && !t.contains(SoakIT.CURSOR));
    }

    @Override
    public void close() {
        sending = false;
        load.shutdownNow();
    }

    /** One user (and on every third slot a second one in the same thread). */
    private final class Slot {
        private final int i;
        private final Where where;
        private final String channel;
        private final boolean pair;
        private final List<Sent> waiting = new ArrayList<>();
        private String place;
        private int thread;
        private int n;
        private int turn;
        private long since;

        Slot(int i, Where where, int channels) {
            this.i = i;
            this.where = where;
            this.channel = where == Where.SLACK ? slackChannel(i % channels) : discordChannel(i % channels);
            this.pair = i % 3 == 0;
        }

        void step() {
            try {
                if (!sending || where == Where.DISCORD && !discordUp) {
                    load.schedule(this::step, 300, TimeUnit.MILLISECONDS);
                    return;
                }
                discordGate.readLock().lock();
                try {
                    if (where == Where.DISCORD && !discordUp) {
                        load.schedule(this::step, 300, TimeUnit.MILLISECONDS);
                        return;
                    }
                    send();
                } finally {
                    discordGate.readLock().unlock();
                }
                since = System.nanoTime();
                load.schedule(this::poll, 250, TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                System.out.println("cluster soak: slot " + i + " could not send (" + e + "); a new thread");
                place = null;
                load.schedule(this::step, 1, TimeUnit.SECONDS);
            }
        }

        private void send() {
            String user = where == Where.SLACK ? slackUser(i) : discordUser(i);
            String buddy = where == Where.SLACK ? slackUser(i + 1) : discordUser(i + 1);
            if (place == null || turn % TURNS_PER_THREAD == 0) {
                thread = threads.incrementAndGet();
                n = 0;
                place = null;
                String text = mention() + question(user);
                String id = where == Where.SLACK ? slack.post(channel, user, text) : discord.post(channel, user, text);
                place = id; // a Slack thread is named by its first message; a Discord thread has its id
                note(channel, id, user);
            } else if (pair && turn % 2 == 1) {
                // both users at once: the second question queues behind the first one's answer
                note(place, reply(buddy), buddy);
                note(place, reply(user), user);
            } else {
                note(place, reply(pair ? buddy : user), pair ? buddy : user);
            }
            turn++;
        }

        private String mention() {
            return where == Where.SLACK ? "<@" + FakeSlack.BOT_USER + "> " : "<@" + FakeDiscord.BOT_ID + "> ";
        }

        private String question(String user) {
            return key(thread, n) + " from " + user + ": what do you think?";
        }

        private String reply(String user) {
            String text = question(user);
            return where == Where.SLACK ? slack.reply(channel, place, user, text) : discord.post(place, user, text);
        }

        /** @param in where the message is: the Slack channel; the Discord channel (a thread's start) or thread */
        private void note(String in, String id, String user) {
            boolean slackOrStart = where == Where.SLACK || in.equals(channel);
            Sent s = new Sent(where, thread, n++, where == Where.SLACK ? channel : in,
                    where == Where.SLACK ? place : slackOrStart ? id : in, id, user, Instant.now());
            sent.add(s);
            waiting.add(s);
        }

        void poll() {
            try {
                waiting.removeIf(ClusterLoad.this::shown);
                long waited = (System.nanoTime() - since) / 1_000_000;
                if (waiting.isEmpty() || waited > 60_000) {
                    if (!waiting.isEmpty()) {
                        gaveUp.incrementAndGet();
                        waiting.clear();
                    }
                    load.schedule(this::step, 300 + (i * 7919L + turn * 104729L) % 500, TimeUnit.MILLISECONDS);
                } else {
                    load.schedule(this::poll, 250, TimeUnit.MILLISECONDS);
                }
            } catch (RuntimeException e) {
                load.schedule(this::poll, 1, TimeUnit.SECONDS);
            }
        }
    }
}

package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class SplitterTest {

    @Test
    void shortText_isOneMessageAsItIs() {
        assertThat(Splitter.split("hello world", 2_000)).containsExactly("hello world");
    }

    @Test
    void prefersParagraphsThenLinesThenSentencesThenWords() {
        String paragraphs = "a".repeat(40) + "\n\n" + "b".repeat(40);
        assertThat(Splitter.split(paragraphs, 64)).containsExactly("a".repeat(40), "b".repeat(40));

        String sentences = "First sentence is here. Second sentence is longer than the first. Third one.";
        assertThat(Splitter.split(sentences, 50)).first().asString().endsWith("here.");

        String words = "word ".repeat(30).strip();
        assertThat(Splitter.split(words, 40)).allSatisfy(m -> assertThat(m).doesNotStartWith(" ").endsWith("word"));
    }

    @Test
    void aCutInsideCode_closesAndReopensTheFenceWithItsLanguage() {
        StringBuilder code = new StringBuilder("Here is code:\n\n```python\n");
        for (int i = 0; i < 40; i++) {
            code.append("print(").append(i).append(")\n");
        }
        code.append("```\nDone.");

        List<String> messages = Splitter.split(code.toString(), 120);

        assertThat(messages).hasSizeGreaterThan(2);
        for (String m : messages) {
            assertThat(m.length()).isLessThanOrEqualTo(120);
            assertThat(fences(m) % 2).as("balanced fences in:\n" + m).isZero();
        }
        assertThat(messages.get(1)).startsWith("```python\n");
        assertThat(messages.getLast()).endsWith("Done.");
    }

    @Test
    void aWordLongerThanTheLimit_isCutHard_butNeverInsideASurrogatePair() {
        String emoji = "\uD83D\uDE00".repeat(100);

        List<String> messages = Splitter.split(emoji, 41);

        for (String m : messages) {
            assertThat(m.length()).isLessThanOrEqualTo(41);
            assertThat(Character.isLowSurrogate(m.charAt(0))).isFalse();
            assertThat(Character.isHighSurrogate(m.charAt(m.length() - 1))).isFalse();
        }
        assertThat(String.join("", messages)).isEqualTo(emoji);
    }

    /** Random Markdown with prose, lists and code: every message fits, fences balance, nothing is lost. */
    @RepeatedTest(300)
    void split_randomMarkdown_neverExceedsTheLimit_balancesFences_andLosesNothing(RepetitionInfo info) {
        SplittableRandom random = new SplittableRandom(info.getCurrentRepetition());
        String text = randomMarkdown(random);
        int limit = Splitter.MIN_LIMIT + random.nextInt(2_000);

        List<Splitter.Part> parts = Splitter.parts(text, limit);

        int covered = 0;
        for (Splitter.Part part : parts) {
            assertThat(part.text().length()).as("limit %d", limit).isLessThanOrEqualTo(limit);
            assertThat(fences(part.text()) % 2).as("balanced fences, limit %d, in:%n%s", limit, part.text()).isZero();
            assertThat(text.substring(covered, part.from())).as("only white space between parts").isBlank();
            assertThat(part.text()).contains(text.substring(part.from(), part.to()).strip());
            covered = part.to();
        }
        assertThat(covered).isEqualTo(text.length());
    }

    private static int fences(String message) {
        int n = 0;
        for (String line : message.split("\n", -1)) {
            String t = line.stripLeading();
            if (t.startsWith("```") && line.length() - t.length() <= 3) {
                n++;
            }
        }
        return n;
    }

    private static String randomMarkdown(SplittableRandom random) {
        StringBuilder sb = new StringBuilder();
        int blocks = 1 + random.nextInt(12);
        for (int b = 0; b < blocks; b++) {
            switch (random.nextInt(4)) {
                case 0 -> {
                    sb.append("```").append(random.nextBoolean() ? "java" : "").append('\n');
                    int lines = 1 + random.nextInt(60);
                    for (int i = 0; i < lines; i++) {
                        sb.append("    code(").append(random.nextInt(1_000_000)).append(");  // x  y\n");
                    }
                    sb.append("```\n\n");
                }
                case 1 -> {
                    int items = 1 + random.nextInt(10);
                    for (int i = 0; i < items; i++) {
                        sb.append("- item ").append(words(random, 3 + random.nextInt(20))).append('\n');
                    }
                    sb.append('\n');
                }
                case 2 -> sb.append("word".repeat(1 + random.nextInt(400))).append("\n\n");
                default -> sb.append(words(random, 5 + random.nextInt(300))).append("\n\n");
            }
        }
        return sb.toString().strip();
    }

    private static String words(SplittableRandom random, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : " ").append("lorem ipsum dolor sit amet".split(" ")[random.nextInt(5)]);
            if (random.nextInt(8) == 0) {
                sb.append('.');
            }
        }
        return sb.toString();
    }
}

package dev.switchboard.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its ChromeDriver (Selenium's WebDriver client): opens a page served on
 * 127.0.0.1 and reads what it shows after its scripts ran. Installed by the build when missing
 * ({@code src/test/sh/ensure-chromium}). One browser per instance; close it.
 */
public final class Chromium implements AutoCloseable {

    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final WebDriver driver;
    private final Path profile;

    private Chromium(WebDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Skips the calling test, saying why, where the build could not install the browser. */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER),
                "Debian's chromium and chromium-driver are not installed (the build installs them when run as root)");
    }

    /** Starts a headless browser on a fresh profile and opens the address. */
    public static Chromium open(String url) throws java.io.IOException {
        Path profile = Files.createTempDirectory("chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        // A closed network: nothing in the background may try to reach Google (each attempt is refused slowly).
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        Chromium browser = new Chromium(driver, profile);
        driver.get(url);
        return browser;
    }

    /** Waits until the element's visible text contains the words. */
    public void waitForText(String css, String words) {
        new WebDriverWait(driver, WAIT).withMessage(() -> css + " never showed \"" + words + "\"; it shows: "
                + safeText(css)).until(d -> safeText(css).contains(words));
    }

    /** The element's visible text, read in one step (the page re-renders its tables every second). */
    public String text(String css) {
        Object text = ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
                "const e = document.querySelector(arguments[0]); return e === null ? null : e.innerText;", css);
        if (text == null) {
            throw new AssertionError("the page has no " + css);
        }
        return text.toString();
    }

    /** Saves what the browser shows as a PNG (a 1280×1400 window), for people to look at. */
    public void screenshot(Path to) throws java.io.IOException {
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1400));
        byte[] png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
        Files.createDirectories(to.toAbsolutePath().getParent());
        Files.write(to, png);
    }

    /** How many elements match. */
    public int count(String css) {
        return driver.findElements(By.cssSelector(css)).size();
    }

    private String safeText(String css) {
        try {
            return text(css);
        } catch (AssertionError e) {
            return "(nothing)";
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.IOException ignored) {
                // a temp folder left behind is harmless
            }
        }
    }
}

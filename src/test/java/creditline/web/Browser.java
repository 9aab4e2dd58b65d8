package creditline.web;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by its own chromedriver (never Selenium Manager, which would
 * download one). When either binary is missing the test is skipped with a visible message, unless
 * {@code -Dcreditline.requireBrowser=true} (CI), where it fails.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of(System.getProperty("creditline.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("creditline.chromedriver", "/usr/bin/chromedriver"));
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final int WIDTH = 1280;
    static final int HEIGHT = 900;
    private static final int SCREENSHOT_HEIGHT_MAX = 5000;
    private static final Duration WAIT = Duration.ofSeconds(15);

    final ChromeDriver driver;
    final Path downloads;
    private final Path profile;

    private Browser(ChromeDriver driver, Path downloads, Path profile) {
        this.driver = driver;
        this.downloads = downloads;
        this.profile = profile;
    }

    /** Skips (or, when required, fails) the calling test class when the browser is not installed. */
    static void requireInstalled() {
        for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(p)) {
                String message = p + " is not installed (apt-get install chromium chromium-driver)";
                if (Boolean.getBoolean("creditline.requireBrowser")) Assertions.fail(message + "; -Dcreditline.requireBrowser=true requires the browser tests to run");
                System.err.println("SKIPPED browser test: " + message);
                Assumptions.abort(message);
            }
        }
    }

    static Browser start() {
        requireInstalled();
        try {
            Path profile = Files.createTempDirectory("creditline-chromium");
            Path downloads = Files.createTempDirectory("creditline-downloads");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile, "--window-size=" + WIDTH + "," + HEIGHT, "--lang=en-US");
            options.setExperimentalOption("prefs", Map.of(
                    "download.default_directory", downloads.toString(),
                    "download.prompt_for_download", false,
                    "safebrowsing.enabled", false));
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile())
                    .usingAnyFreePort()
                    .build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().scriptTimeout(WAIT);
            driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath", downloads.toString()));
            return new Browser(driver, downloads, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    <T> T until(Function<WebDriver, T> condition) {
        // The page re-renders sections as answers arrive: an element found a moment ago may be gone.
        return new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class).until(condition);
    }

    WebElement find(By by) {
        return until(d -> {
            List<WebElement> found = d.findElements(by);
            return found.isEmpty() ? null : found.get(0);
        });
    }

    WebElement byTestId(String testId) {
        return find(By.cssSelector("[data-testid='" + testId + "']"));
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** A script that calls its last argument (a callback) with its result, once its promises settle. */
    Object asyncScript(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(js, args);
    }

    void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** A screenshot of the whole page at {@code width} px, saved as target/screenshots/{name}.png. */
    Path screenshot(String name, int width) {
        try {
            Files.createDirectories(SCREENSHOTS);
            until(d -> script("return document.querySelectorAll('.state.loading').length === 0"));
            resize(width, HEIGHT);
            long height = ((Number) script("return Math.ceil(document.documentElement.scrollHeight)")).longValue();
            long frame = ((Number) script("return window.outerHeight - window.innerHeight")).longValue();
            resize(width, (int) Math.min(SCREENSHOT_HEIGHT_MAX, Math.max(HEIGHT, height + frame)));
            until(d -> script("return [...document.querySelectorAll('.chart')].every(c => c.dataset.ready === 'true')"));
            script("window.scrollTo(0, 0)");
            Path target = SCREENSHOTS.resolve(name + ".png");
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            resize(WIDTH, HEIGHT);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for a finished download whose name starts with {@code prefix}; returns its path. */
    Path download(String prefix) {
        return until(d -> {
            try (Stream<Path> files = Files.list(downloads)) {
                return files.filter(p -> p.getFileName().toString().startsWith(prefix) && !p.toString().endsWith(".crdownload"))
                        .findFirst().orElse(null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            delete(profile);
            delete(downloads);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}

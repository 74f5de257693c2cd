package io.repayguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.DetectorConfig;
import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.DetectorSerdes;
import io.repayguard.detector.DetectorTopology;
import io.repayguard.detector.TopicNames;
import io.repayguard.detector.http.DetectorHttpServer;
import io.repayguard.detector.http.PlanApi;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.HoldAction;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's {@code chromium}, headless, driven through Debian's
 * {@code chromedriver} ({@code .ci/run} installs both when missing; without them this test fails,
 * it does not skip). Screenshots go to {@code target/}.
 */
@Tag("integration")
class DashboardBrowserTest {
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static BrokerHarness harness;
  private ChromeDriver browser;

  @BeforeAll
  static void startStack() {
    harness = new BrokerHarness();
  }

  @AfterAll
  static void stopStack() {
    harness.close();
  }

  @BeforeEach
  void startBrowser(@TempDir final Path profile) {
    assertThat(new File(CHROMIUM)).as("Debian's chromium (apt install chromium)").exists();
    assertThat(new File(CHROMEDRIVER))
        .as("Debian's chromedriver (apt install chromium-driver)")
        .exists();
    final ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
        "--user-data-dir=" + profile);
    browser =
        new ChromeDriver(
            new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build(),
            options);
  }

  @AfterEach
  void stopBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void shouldShowAnAlertLiveAndResolveItThroughTheButtons(@TempDir final Path dir)
      throws Exception {
    // Given: a detector serving its dashboard, open in the browser
    final TopicNames topics = BrokerHarness.uniqueTopics("dash");
    final String id = "it-dash-" + topics.creditUse().substring(5, 13);
    try (DetectorRunner detector =
            harness.startDetector(BrokerHarness.config(topics), id, dir.resolve("state"));
        DetectorHttpServer server =
            DetectorHttpServer.start(
                new InetSocketAddress("127.0.0.1", 0),
                detector.streams(),
                Optional.empty(),
                Optional.of(
                    PlanApi.create(
                        detector.streams(), harness.client().clientProperties(), topics)))) {
      browser.get(server.uri() + "/");
      final WebDriverWait wait = new WebDriverWait(browser, WAIT);
      wait.until(ExpectedConditions.textToBe(By.id("health"), "RUNNING"));

      // When: scenario 09 is published (a plan collecting from a stranger's account: held)
      final long published = System.nanoTime();
      harness.publish(BrokerHarness.scenario("09-account-mismatch-foreign.jsonl"), topics, id);

      // Then: its alert and hold appear in the feed
      final By alertRow =
          By.cssSelector("#feed tr[data-kind=alert][data-plan=p9][data-status=OPEN]");
      wait.until(ExpectedConditions.presenceOfElementLocated(alertRow));
      System.out.printf(
          "dashboard: the alert showed %.1f s after the scenario's first record was sent%n",
          (System.nanoTime() - published) / 1e9);
      wait.until(
          ExpectedConditions.presenceOfElementLocated(
              By.cssSelector("#feed tr[data-kind=hold][data-plan=p9][data-action=HOLD]")));
      wait.until(ExpectedConditions.textToBe(By.id("holds-active"), "1"));
      screenshot("dashboard-alert.png");

      // When: the analyst opens the plan and resolves the alert through the buttons
      browser.findElement(alertRow).findElement(By.cssSelector("button.plan-link")).click();
      final By card = By.cssSelector("#plan .alert-card[data-rule=ACCOUNT_MISMATCH]");
      wait.until(ExpectedConditions.elementToBeClickable(card));
      browser.findElement(card).findElement(By.cssSelector("button.resolve")).click();
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("command-dialog")));
      browser.findElement(By.id("command-analyst")).sendKeys("li.wei");
      browser.findElement(By.id("command-reason")).sendKeys("the customer confirmed the account");
      browser.findElement(By.id("command-send")).click();

      // Then: the page says it is sent, and the feed shows it RESOLVED and the plan released
      wait.until(
          ExpectedConditions.textToBePresentInElementLocated(
              By.id("command-notice"), "Resolution sent"));
      wait.until(
          ExpectedConditions.presenceOfElementLocated(
              By.cssSelector("#feed tr[data-kind=alert][data-plan=p9][data-status=RESOLVED]")));
      wait.until(
          ExpectedConditions.presenceOfElementLocated(
              By.cssSelector("#feed tr[data-kind=hold][data-plan=p9][data-action=RELEASE]")));
      wait.until(ExpectedConditions.textToBe(By.id("holds-active"), "0"));
      wait.until(
          ExpectedConditions.textToBePresentInElementLocated(By.id("plan"), "No open alert."));
      assertThat(browser.findElement(By.id("plan")).getText()).contains("Resolution sent");
      assertThat(browser.findElements(By.cssSelector("#plan dl[data-held=false]"))).hasSize(1);
      screenshot("dashboard-resolved.png");

      // and so do the topics, read_committed
      assertThat(harness.alerts(topics.alerts()))
          .extracting(a -> a.getPlanId() + " " + a.getRule() + " " + a.getStatus())
          .containsExactly(
              "p9 ACCOUNT_MISMATCH " + AlertStatus.OPEN,
              "p9 ACCOUNT_MISMATCH " + AlertStatus.RESOLVED);
      assertThat(harness.holds(topics.holdCommands()))
          .extracting(h -> h.getPlanId() + " " + h.getAction())
          .containsExactly("p9 " + HoldAction.HOLD, "p9 " + HoldAction.RELEASE);
      assertThat(harness.alerts(topics.alerts()).get(1).getEvidence())
          .containsEntry("resolvedBy", "li.wei")
          .containsEntry("resolution", "the customer confirmed the account");
    }
  }

  @Test
  void shouldSayTheDetectorIsRebalancingRatherThanShowABlankPage(@TempDir final Path dir)
      throws Exception {
    // Given: a detector that cannot finish joining its group (no broker where it looks), so it
    // stays REBALANCING, serving its dashboard
    final TopicNames topics = BrokerHarness.uniqueTopics("dash-rebalancing");
    final Map<String, Object> unreachable = new HashMap<>();
    unreachable.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
    unreachable.put("schema.registry.url", harness.stack().schemaRegistryUrl());
    final Properties props = new Properties();
    props.putAll(unreachable);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "it-dash-rebalancing");
    props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
    final DetectorConfig config = BrokerHarness.config(topics);
    final KafkaStreams streams =
        new KafkaStreams(
            DetectorTopology.build(config, DetectorSerdes.fromConfig(unreachable)), props);
    try (DetectorHttpServer server =
        DetectorHttpServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            streams,
            Optional.empty(),
            Optional.of(PlanApi.create(streams, unreachable, topics)))) {
      streams.start();
      assertThat(streams.state()).isEqualTo(KafkaStreams.State.REBALANCING);

      // When
      browser.get(server.uri() + "/");

      // Then: a clear message, the page laid out, and no plan query pretending to work
      final WebDriverWait wait = new WebDriverWait(browser, WAIT);
      wait.until(ExpectedConditions.textToBe(By.id("health"), "REBALANCING"));
      final WebElement banner = browser.findElement(By.id("banner"));
      assertThat(banner.isDisplayed()).isTrue();
      assertThat(banner.getText())
          .contains("The detector is rebalancing")
          .contains("nothing is lost");
      assertThat(browser.findElement(By.id("holds-active")).getText()).isEqualTo("0");
      assertThat(browser.findElement(By.id("feed-empty")).getText())
          .isEqualTo("No alert or hold command yet.");
      screenshot("dashboard-rebalancing.png");
    } finally {
      streams.close(Duration.ofSeconds(10));
    }
  }

  private void screenshot(final String name) throws IOException {
    final Path target = Path.of("target", name);
    Files.createDirectories(target.getParent());
    Files.write(target, browser.getScreenshotAs(OutputType.BYTES));
  }
}

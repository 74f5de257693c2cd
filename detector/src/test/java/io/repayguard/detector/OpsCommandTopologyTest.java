package io.repayguard.detector;

import static io.repayguard.events.Events.T0;
import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aRepaymentEvent;
import static io.repayguard.events.Events.anOpsCommand;
import static io.repayguard.events.Events.at;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.CreditStatus;
import io.repayguard.events.HoldAction;
import io.repayguard.events.HoldCommand;
import io.repayguard.events.OpsCommand;
import io.repayguard.events.Rule;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ops topic through the whole topology (DESIGN.md rule 11, "Manual resolution"): a command
 * reaches its plan's state, takes no part in detector time, and a bad one goes to the DLQ.
 */
class OpsCommandTopologyTest {
  /** More than a day ahead of the driver's wall clock. */
  private static final Instant TOO_FAR = DetectorTestDriver.WALL_START.plus(Duration.ofHours(25));

  private static final String CONTRACT = DeadLetters.CONTRACT_VIOLATION;
  private static final String SERIALIZATION =
      "org.apache.kafka.common.errors.SerializationException";

  @Test
  void shouldResolveAnAlertFromTheOpsTopicAndReleaseTheHold() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given
      givenReversedBorrowingHoldsP1(driver);

      // When
      driver.publish(anOpsCommand().setRule(Rule.BORROWING_REVERSED).build());
      driver.barrier();

      // Then
      assertThat(driver.alerts())
          .map(Alert::getAlertId, Alert::getStatus)
          .containsExactly(
              tuple("p1/BORROWING_REVERSED/1", AlertStatus.OPEN),
              tuple("p1/BORROWING_REVERSED/1", AlertStatus.RESOLVED));
      assertThat(driver.alerts().get(1).getEvidence())
          .containsEntry("resolvedBy", "li.wei")
          .containsEntry("resolution", "checked with the merchant");
      assertThat(driver.holds())
          .map(HoldCommand::getAction)
          .containsExactly(HoldAction.HOLD, HoldAction.RELEASE);
      assertThat(driver.opsIgnoredCount()).isZero();
    }
  }

  @Test
  void shouldNeitherMoveDetectorTimeNorHoldItBack() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given: p1 names no borrowing that exists; its decision waits for T0 + grace
      driver.publish(aRepaymentEvent().setCreditId("c-missing").build());
      driver.barrier();

      // When: a command issued an hour later is read before the decision
      driver.publish(anOpsCommand().setIssuedAt(at(Duration.ofHours(1))).build());
      driver.barrier();
      final int alertsAfterCommand = driver.alerts().size();
      driver.publish(
          aCreditUse()
              .setCreditId("c-clock")
              .setAccountId("a-clock")
              .setIdentityId("id-a-clock")
              .setMerchantOrderId(null)
              .setEventTime(at(ofMinutes(10)))
              .build());
      driver.barrier();

      // Then: not decided at the command's time; decided by the data alone; not resolved
      assertThat(alertsAfterCommand).isZero();
      assertThat(driver.alerts())
          .singleElement()
          .satisfies(
              alert -> {
                assertThat(alert.getAlertId()).isEqualTo("p1/NO_BORROWING/1");
                assertThat(alert.getStatus()).isEqualTo(AlertStatus.OPEN);
                assertThat(alert.getDecidedAt()).isEqualTo(at(ofMinutes(10)));
              });
      assertThat(driver.opsIgnoredCount()).isEqualTo(1.0);
    }
  }

  @Test
  void shouldCountACommandForAnUnknownPlanAndPublishNothing() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given
      givenReversedBorrowingHoldsP1(driver);

      // When
      driver.publish(
          anOpsCommand().setPlanId("p-unknown").setRule(Rule.BORROWING_REVERSED).build());
      driver.barrier();

      // Then
      assertThat(driver.alerts()).hasSize(1);
      assertThat(driver.holds()).hasSize(1);
      assertThat(driver.deadLetters()).isEmpty();
      assertThat(driver.opsIgnoredCount()).isEqualTo(1.0);
    }
  }

  /** A command a broken producer writes, and the reason the DLQ must give. */
  record BadCommand(
      String key,
      Function<DetectorTestDriver, byte[]> value,
      String errorClass,
      String messageFragment) {}

  static Stream<Arguments> badCommands() {
    return Stream.of(
        bad(
            "key differs from planId",
            new BadCommand(
                "p-other",
                resolve(c -> c),
                CONTRACT,
                "record key 'p-other' differs from planId 'p1'")),
        bad(
            "null key",
            new BadCommand(
                null, resolve(c -> c), CONTRACT, "record key null differs from planId 'p1'")),
        bad(
            "empty commandId",
            new BadCommand("p1", resolve(c -> c.setCommandId("")), CONTRACT, "commandId is empty")),
        bad(
            "empty analyst",
            new BadCommand("p1", resolve(c -> c.setAnalyst("")), CONTRACT, "analyst is empty")),
        bad(
            "issuedAt more than a day ahead",
            new BadCommand(
                "p1", resolve(c -> c.setIssuedAt(TOO_FAR)), CONTRACT, "more than a day ahead")),
        bad("null value", new BadCommand("p1", d -> null, CONTRACT, "value is null")),
        bad(
            "undecodable bytes",
            new BadCommand(
                "p1",
                d -> "resolve p1 please".getBytes(StandardCharsets.UTF_8),
                SERIALIZATION,
                "Unknown magic byte")),
        bad(
            "unknown schema id",
            new BadCommand(
                "p1",
                d -> new byte[] {0, 0, 0, 0x7f, 0x7f, 2},
                "io.repayguard.serde.UnknownSchemaIdException",
                "Schema 32639 not found")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCommands")
  void shouldDeadLetterABadCommandAndKeepTheAlertOpen(
      final String description, final BadCommand bad) {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given: accepted, this RESOLVE would end p1's alert and release its hold
      givenReversedBorrowingHoldsP1(driver);
      final byte[] key = bad.key() == null ? null : bad.key().getBytes(StandardCharsets.UTF_8);
      final byte[] value = bad.value().apply(driver);

      // When
      driver.publishRaw("repayguard-ops", key, value, T0);
      driver.barrier();

      // Then
      assertThat(driver.deadLetters())
          .singleElement()
          .satisfies(
              letter -> {
                assertThat(letter.key()).isEqualTo(key);
                assertThat(letter.value()).isEqualTo(value);
                assertThat(header(letter, DeadLetters.HEADER_TOPIC)).isEqualTo("repayguard-ops");
                assertThat(header(letter, DeadLetters.HEADER_OFFSET)).isEqualTo("0");
                assertThat(header(letter, DeadLetters.HEADER_ERROR_CLASS))
                    .isEqualTo(bad.errorClass());
                assertThat(header(letter, DeadLetters.HEADER_ERROR_MESSAGE))
                    .contains(bad.messageFragment());
              });
      assertThat(driver.deadLetterCount()).isEqualTo(1.0);
      assertThat(driver.alerts()).map(Alert::getStatus).containsExactly(AlertStatus.OPEN);
      assertThat(driver.holds()).map(HoldCommand::getAction).containsExactly(HoldAction.HOLD);
      assertThat(driver.opsIgnoredCount()).isZero();
    }
  }

  /** Plan p1 collects a reversed borrowing: BORROWING_REVERSED open, plan held. */
  private static void givenReversedBorrowingHoldsP1(final DetectorTestDriver driver) {
    driver.publish(aCreditUse().setMerchantOrderId(null).setStatus(CreditStatus.REVERSED).build());
    driver.publish(aRepaymentEvent().build());
    driver.publish(
        aCreditUse()
            .setCreditId("c-clock")
            .setAccountId("a-clock")
            .setIdentityId("id-a-clock")
            .setMerchantOrderId(null)
            .setEventTime(at(ofMinutes(10)))
            .build());
    driver.barrier();
    assertThat(driver.alerts()).map(Alert::getAlertId).containsExactly("p1/BORROWING_REVERSED/1");
  }

  /** A RESOLVE of p1's BORROWING_REVERSED alert, changed by {@code change}, as wire bytes. */
  private static Function<DetectorTestDriver, byte[]> resolve(
      final Function<OpsCommand.Builder, OpsCommand.Builder> change) {
    return d ->
        d.encode(
            "repayguard-ops",
            change.apply(anOpsCommand().setRule(Rule.BORROWING_REVERSED)).build());
  }

  private static Arguments bad(final String description, final BadCommand command) {
    return Arguments.of(description, command);
  }

  private static String header(final TestRecord<byte[], byte[]> record, final String name) {
    final Header header = record.headers().lastHeader(name);
    assertThat(header).as("header %s", name).isNotNull();
    return new String(header.value(), StandardCharsets.UTF_8);
  }
}

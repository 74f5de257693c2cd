package io.repayguard.detector;

import static io.repayguard.events.Events.T0;
import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aMerchantOrder;
import static io.repayguard.events.Events.aRepaymentEvent;
import static io.repayguard.events.Events.at;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.detector.facts.Fact;
import io.repayguard.detector.facts.Flush;
import io.repayguard.events.CreditUse;
import io.repayguard.events.MerchantOrder;
import io.repayguard.events.OrderStatus;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.RepaymentEventType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input goes to the DLQ unchanged, with the reason in its headers; it changes no state, does
 * not move detector time, and the detector keeps deciding (DESIGN.md rule 9).
 *
 * <p>Every bad record below would, if accepted, change the outcome: a borrowing for {@code
 * c-missing} would back plan p1, a cancelled {@code o-ok} would make plan p-ok unpaid, a plan event
 * naming no borrowing would raise NO_BORROWING; and its eventTime, hours past the pending
 * decisions, would take them at once.
 */
class DeadLetterTest {
  /** Within a day of the driver's wall clock, months after T0. */
  private static final Instant FAR = DetectorTestDriver.WALL_START.plus(Duration.ofHours(12));

  /** More than a day ahead of the driver's wall clock. */
  private static final Instant TOO_FAR = DetectorTestDriver.WALL_START.plus(Duration.ofHours(25));

  private static final String CONTRACT = DeadLetters.CONTRACT_VIOLATION;
  private static final String SERIALIZATION =
      "org.apache.kafka.common.errors.SerializationException";

  /** Offset of the bad record: what the Given publishes to each topic comes first. */
  private static final Map<String, Long> OFFSETS =
      Map.of("credit-use", 1L, "merchant-order", 1L, "repayment-plan", 2L);

  /** A record a broken producer writes, and the reason the DLQ must give. */
  record BadInput(
      String topic,
      String key,
      Function<DetectorTestDriver, byte[]> value,
      String errorClass,
      String messageFragment) {}

  static Stream<Arguments> badInputs() {
    return Stream.of(
        bad(
            "undecodable bytes (no magic byte)",
            new BadInput(
                "credit-use",
                "c-missing",
                d -> "not avro at all".getBytes(StandardCharsets.UTF_8),
                SERIALIZATION,
                "Unknown magic byte")),
        bad(
            "unknown schema id",
            new BadInput(
                "credit-use",
                "c-missing",
                d -> new byte[] {0, 0, 0, 0x7f, 0x7f, 2, 4, 6, 8},
                "io.repayguard.serde.UnknownSchemaIdException",
                "Schema 32639 not found")),
        bad(
            "known schema id, truncated body",
            new BadInput(
                "merchant-order",
                "o-ok",
                d -> truncated(d.encode("merchant-order", cancelled(o -> o))),
                SERIALIZATION,
                "cannot read")),
        bad(
            "undecodable repayment event",
            new BadInput(
                "repayment-plan",
                "p-bad",
                d -> new byte[] {1, 2, 3, 4, 5, 6},
                SERIALIZATION,
                "Unknown magic byte")),
        bad(
            "null value",
            new BadInput("credit-use", "c-missing", d -> null, CONTRACT, "value is null")),
        bad(
            "credit-use: key differs from creditId",
            credit("c-other", b -> b, "record key 'c-other' differs from creditId 'c-missing'")),
        bad("credit-use: null key", credit(null, b -> b, "record key null differs")),
        bad(
            "credit-use: empty accountId",
            credit("c-missing", b -> b.setAccountId(""), "accountId is empty")),
        bad(
            "credit-use: empty identityId",
            credit("c-missing", b -> b.setIdentityId(""), "identityId is empty")),
        bad(
            "credit-use: negative amount",
            credit("c-missing", b -> b.setAmountMinor(-1), "amountMinor -1 is negative")),
        bad(
            "credit-use: installmentCount 0",
            credit("c-missing", b -> b.setInstallmentCount(0), "installmentCount 0 is below 1")),
        bad(
            "credit-use: negative eventTime",
            credit(
                "c-missing",
                b -> b.setEventTime(Instant.ofEpochMilli(-1)),
                "eventTime -1 is negative")),
        bad(
            "credit-use: eventTime more than a day ahead",
            credit("c-missing", b -> b.setEventTime(TOO_FAR), "more than a day ahead")),
        bad(
            "merchant-order: key differs from orderId",
            order("o-other", o -> o, "record key 'o-other' differs from orderId 'o-ok'")),
        bad(
            "merchant-order: empty merchantId",
            order("o-ok", o -> o.setMerchantId(""), "merchantId is empty")),
        bad(
            "merchant-order: negative amount",
            order("o-ok", o -> o.setAmountMinor(-1), "amountMinor -1 is negative")),
        bad(
            "merchant-order: eventTime more than a day ahead",
            order("o-ok", o -> o.setEventTime(TOO_FAR), "more than a day ahead")),
        bad(
            "repayment-plan: names another creditId than the plan's first event",
            new BadInput(
                "repayment-plan",
                "p-ok",
                d ->
                    d.encode(
                        "repayment-plan",
                        aRepaymentEvent()
                            .setPlanId("p-ok")
                            .setEventId("p-ok-d1")
                            .setCreditId("c-missing")
                            .setType(RepaymentEventType.INSTALLMENT_DUE)
                            .setInstallmentNo(1)
                            .setEventTime(FAR)
                            .build()),
                CONTRACT,
                "plan p-ok first named creditId c-ok but event p-ok-d1 names c-missing")),
        bad(
            "repayment-plan: key differs from planId",
            plan("p-other", e -> e, "record key 'p-other' differs from planId 'p-bad'")),
        bad("repayment-plan: null key", plan(null, e -> e, "record key null differs")),
        bad(
            "repayment-plan: empty eventId",
            plan("p-bad", e -> e.setEventId(""), "eventId is empty")),
        bad(
            "repayment-plan: empty accountId",
            plan("p-bad", e -> e.setAccountId(""), "accountId is empty")),
        bad(
            "repayment-plan: negative amount",
            plan("p-bad", e -> e.setAmountMinor(-5), "amountMinor -5 is negative")),
        bad(
            "repayment-plan: installmentCount 0",
            plan(
                "p-bad",
                e -> e.setInstallmentCount(0).setInstallmentNo(0),
                "installmentCount 0 is below 1")),
        bad(
            "repayment-plan: installmentNo above installmentCount",
            plan("p-bad", e -> e.setInstallmentNo(4), "installmentNo 4 is outside 0..3")),
        bad(
            "repayment-plan: negative installmentNo",
            plan("p-bad", e -> e.setInstallmentNo(-1), "installmentNo -1 is outside 0..3")),
        bad(
            "repayment-plan: eventTime more than a day ahead",
            plan("p-bad", e -> e.setEventTime(TOO_FAR), "more than a day ahead")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void shouldDeadLetterBadInputAndKeepDeciding(final String description, final BadInput bad) {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given
      driver.publish(aMerchantOrder().setOrderId("o-ok").build());
      driver.publish(aCreditUse().setCreditId("c-ok").setMerchantOrderId("o-ok").build());
      driver.publish(
          aRepaymentEvent().setPlanId("p-ok").setEventId("p-ok-c").setCreditId("c-ok").build());
      driver.publish(aRepaymentEvent().setCreditId("c-missing").build());
      driver.barrier();
      final byte[] key = bad.key() == null ? null : bad.key().getBytes(StandardCharsets.UTF_8);
      final byte[] value = bad.value().apply(driver);

      // When
      driver.publishRaw(bad.topic(), key, value, T0);
      driver.barrier();

      // Then
      assertThat(driver.deadLetters())
          .singleElement()
          .satisfies(
              letter -> {
                assertThat(letter.key()).isEqualTo(key);
                assertThat(letter.value()).isEqualTo(value);
                assertThat(header(letter, DeadLetters.HEADER_TOPIC)).isEqualTo(bad.topic());
                assertThat(header(letter, DeadLetters.HEADER_PARTITION)).isEqualTo("0");
                assertThat(header(letter, DeadLetters.HEADER_OFFSET))
                    .isEqualTo(Long.toString(OFFSETS.get(bad.topic())));
                assertThat(header(letter, DeadLetters.HEADER_ERROR_CLASS))
                    .isEqualTo(bad.errorClass());
                assertThat(header(letter, DeadLetters.HEADER_ERROR_MESSAGE))
                    .contains(bad.messageFragment());
              });
      assertThat(driver.deadLetterCount()).isEqualTo(1.0);
      assertThat(driver.alerts()).as("no decision taken: detector time did not move").isEmpty();

      // When
      driver.publish(
          aCreditUse()
              .setCreditId("c-clock")
              .setAccountId("a-clock")
              .setIdentityId("id-a-clock")
              .setMerchantOrderId(null)
              .setEventTime(at(ofMinutes(10)))
              .build());
      driver.barrier();

      // Then
      assertThat(driver.alerts())
          .singleElement()
          .satisfies(
              alert -> {
                assertThat(alert.getAlertId()).isEqualTo("p1/NO_BORROWING/1");
                assertThat(alert.getDecidedAt()).isEqualTo(at(ofMinutes(10)));
              });
      assertThat(driver.deadLetters()).hasSize(1);
    }
  }

  @Test
  void shouldDeadLetterARecordTooLargeForAKafkaRequestWithoutCopyingItsValue() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given: a plan whose decision is pending
      driver.publish(aRepaymentEvent().setCreditId("c-missing").build());
      driver.barrier();
      // a valid plan event whose fact, with its clock fields, would not fit in 1 MiB
      final byte[] value =
          driver.encode(
              "repayment-plan",
              aRepaymentEvent()
                  .setPlanId("p-big")
                  .setEventId("p-big-c")
                  .setIdentityId("x".repeat(DeadLetters.MAX_RECORD_BYTES))
                  .build());

      // When
      driver.publishRaw("repayment-plan", "p-big".getBytes(StandardCharsets.UTF_8), value, T0);
      driver.barrier();

      // Then: the letter says where the record is and how large; it does not copy it
      assertThat(driver.deadLetters())
          .singleElement()
          .satisfies(
              letter -> {
                assertThat(letter.key()).isEqualTo("p-big".getBytes(StandardCharsets.UTF_8));
                assertThat(letter.value()).isEmpty();
                assertThat(header(letter, DeadLetters.HEADER_ERROR_CLASS))
                    .isEqualTo(DeadLetters.RECORD_TOO_LARGE);
                assertThat(header(letter, DeadLetters.HEADER_ERROR_MESSAGE))
                    .isEqualTo(
                        "key and value of "
                            + (value.length + 5)
                            + " bytes are over the detector's limit of 921600 bytes");
                assertThat(header(letter, DeadLetters.HEADER_VALUE_BYTES))
                    .isEqualTo(Integer.toString(value.length));
                assertThat(header(letter, DeadLetters.HEADER_OFFSET)).isEqualTo("1");
              });
      assertThat(driver.alerts()).as("detector time did not move").isEmpty();

      // When: time moves on
      driver.publish(
          aCreditUse()
              .setCreditId("c-clock")
              .setAccountId("a-clock")
              .setIdentityId("id-a-clock")
              .setMerchantOrderId(null)
              .setEventTime(at(ofMinutes(10)))
              .build());
      driver.barrier();

      // Then: the pending plan is decided; p-big never existed for the detector
      assertThat(driver.alerts())
          .singleElement()
          .satisfies(alert -> assertThat(alert.getPlanId()).isEqualTo("p1"));
    }
  }

  @Test
  void shouldDeadLetterAFlushRequestWrittenIntoTheLiveFactsLog() {
    try (DetectorTestDriver driver = new DetectorTestDriver()) {
      // Given: a plan whose decision is pending
      driver.publish(aRepaymentEvent().setCreditId("c-missing").build());
      driver.barrier();
      final Fact flush =
          Fact.newBuilder()
              .setSource("intruder")
              .setMaxEventTime(Long.MIN_VALUE)
              .setIdle(true)
              .setPayload(Flush.newBuilder().setPartition(0).build())
              .build();
      final byte[] value =
          new AvroBinarySerde<Fact>(Fact.getClassSchema())
              .serializer()
              .serialize("repayguard-facts", flush);

      // When
      driver.publishRaw("repayguard-facts", null, value, T0);
      driver.barrier();

      // Then: only a replay's own control topic may flush; live decides nothing early
      assertThat(driver.deadLetters())
          .singleElement()
          .satisfies(
              letter ->
                  assertThat(header(letter, DeadLetters.HEADER_ERROR_MESSAGE))
                      .isEqualTo("a flush request outside a replay's control topic"));
      assertThat(driver.alerts()).isEmpty();
    }
  }

  private static String header(final TestRecord<byte[], byte[]> record, final String name) {
    final Header header = record.headers().lastHeader(name);
    assertThat(header).as("header %s", name).isNotNull();
    return new String(header.value(), StandardCharsets.UTF_8);
  }

  private static Arguments bad(final String description, final BadInput input) {
    return Arguments.of(description, input);
  }

  /** A borrowing that would back plan p1, published at a far eventTime. */
  private static BadInput credit(
      final String key,
      final Function<CreditUse.Builder, CreditUse.Builder> change,
      final String message) {
    return new BadInput(
        "credit-use",
        key,
        d ->
            d.encode(
                "credit-use",
                change
                    .apply(
                        aCreditUse()
                            .setCreditId("c-missing")
                            .setMerchantOrderId(null)
                            .setEventTime(FAR))
                    .build()),
        CONTRACT,
        message);
  }

  /** A cancellation of order o-ok, which plan p-ok's borrowing names. */
  private static BadInput order(
      final String key,
      final Function<MerchantOrder.Builder, MerchantOrder.Builder> change,
      final String message) {
    return new BadInput(
        "merchant-order",
        key,
        d -> d.encode("merchant-order", cancelled(change)),
        CONTRACT,
        message);
  }

  private static MerchantOrder cancelled(
      final Function<MerchantOrder.Builder, MerchantOrder.Builder> change) {
    return change
        .apply(
            aMerchantOrder().setOrderId("o-ok").setStatus(OrderStatus.CANCELLED).setEventTime(FAR))
        .build();
  }

  /** An event of a plan p-bad that names no borrowing. */
  private static BadInput plan(
      final String key,
      final Function<RepaymentEvent.Builder, RepaymentEvent.Builder> change,
      final String message) {
    return new BadInput(
        "repayment-plan",
        key,
        d ->
            d.encode(
                "repayment-plan",
                change
                    .apply(
                        aRepaymentEvent()
                            .setPlanId("p-bad")
                            .setEventId("p-bad-d1")
                            .setCreditId(null)
                            .setType(RepaymentEventType.INSTALLMENT_DUE)
                            .setInstallmentNo(1)
                            .setEventTime(FAR))
                    .build()),
        CONTRACT,
        message);
  }

  private static byte[] truncated(final byte[] encoded) {
    return Arrays.copyOf(encoded, 8);
  }
}

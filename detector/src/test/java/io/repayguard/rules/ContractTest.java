package io.repayguard.rules;

import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aMerchantOrder;
import static io.repayguard.events.Events.aRepaymentEvent;
import static io.repayguard.events.Events.anOpsCommand;
import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.events.CreditUse;
import io.repayguard.events.MerchantOrder;
import io.repayguard.events.OpsCommand;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.RepaymentEventType;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every clause of DESIGN.md rule 9, for each input type; each row breaks at most one clause. */
class ContractTest {
  /** The wall clock the contract is judged at. */
  private static final Instant NOW = Instant.parse("2026-11-01T00:00:00Z");

  private static final Instant DAY_AHEAD = NOW.plus(Duration.ofDays(1));

  static Stream<Arguments> creditUses() {
    return Stream.of(
        credit("valid", "c1", b -> {}, null),
        credit("amount 0 is valid", "c1", b -> b.setAmountMinor(0), null),
        credit("eventTime 0 is valid", "c1", b -> b.setEventTime(Instant.EPOCH), null),
        credit(
            "eventTime exactly a day ahead is valid", "c1", b -> b.setEventTime(DAY_AHEAD), null),
        credit("no merchant order (cash) is valid", "c1", b -> b.setMerchantOrderId(null), null),
        credit("empty creditId", "", b -> b.setCreditId(""), "creditId is empty"),
        credit("null creditId", null, b -> b.setCreditId(null), "creditId is empty"),
        credit("empty accountId", "c1", b -> b.setAccountId(""), "accountId is empty"),
        credit("null accountId", "c1", b -> b.setAccountId(null), "accountId is empty"),
        credit("empty identityId", "c1", b -> b.setIdentityId(""), "identityId is empty"),
        credit(
            "key differs from creditId",
            "c2",
            b -> {},
            "record key 'c2' differs from creditId 'c1'"),
        credit("null key", null, b -> {}, "record key null differs from creditId 'c1'"),
        credit("negative amount", "c1", b -> b.setAmountMinor(-1), "amountMinor -1 is negative"),
        credit(
            "installmentCount 0",
            "c1",
            b -> b.setInstallmentCount(0),
            "installmentCount 0 is below 1"),
        credit(
            "negative eventTime",
            "c1",
            b -> b.setEventTime(Instant.ofEpochMilli(-1)),
            "eventTime -1 is negative"),
        credit(
            "eventTime a day and a millisecond ahead",
            "c1",
            b -> b.setEventTime(DAY_AHEAD.plusMillis(1)),
            "more than a day ahead"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("creditUses")
  void shouldCheckCreditUse(
      final String description, final String key, final CreditUse value, final String expected) {
    // Given (the row)

    // When
    final Optional<String> violation = Contract.violation(key, value, NOW);

    // Then
    assertViolation(violation, expected);
  }

  static Stream<Arguments> merchantOrders() {
    return Stream.of(
        order("valid", "o1", o -> {}, null),
        order("amount 0 is valid", "o1", o -> o.setAmountMinor(0), null),
        order("empty orderId", "", o -> o.setOrderId(""), "orderId is empty"),
        order("empty merchantId", "o1", o -> o.setMerchantId(""), "merchantId is empty"),
        order("null merchantId", "o1", o -> o.setMerchantId(null), "merchantId is empty"),
        order("empty accountId", "o1", o -> o.setAccountId(""), "accountId is empty"),
        order(
            "key differs from orderId", "o2", o -> {}, "record key 'o2' differs from orderId 'o1'"),
        order("null key", null, o -> {}, "record key null differs from orderId 'o1'"),
        order("negative amount", "o1", o -> o.setAmountMinor(-5), "amountMinor -5 is negative"),
        order(
            "negative eventTime",
            "o1",
            o -> o.setEventTime(Instant.ofEpochMilli(-1)),
            "eventTime -1 is negative"),
        order(
            "eventTime a day and a millisecond ahead",
            "o1",
            o -> o.setEventTime(DAY_AHEAD.plusMillis(1)),
            "more than a day ahead"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("merchantOrders")
  void shouldCheckMerchantOrder(
      final String description,
      final String key,
      final MerchantOrder value,
      final String expected) {
    // Given (the row)

    // When
    final Optional<String> violation = Contract.violation(key, value, NOW);

    // Then
    assertViolation(violation, expected);
  }

  static Stream<Arguments> repaymentEvents() {
    return Stream.of(
        event("valid", "p1", e -> {}, null),
        event(
            "null creditId is valid (the detector alerts on it)",
            "p1",
            e -> e.setCreditId(null),
            null),
        event("installmentNo 0 is valid", "p1", e -> e.setInstallmentNo(0), null),
        event(
            "installmentNo equal to installmentCount is valid",
            "p1",
            e -> e.setType(RepaymentEventType.INSTALLMENT_DUE).setInstallmentNo(3),
            null),
        event(
            "installmentCount 1 is valid",
            "p1",
            e -> e.setInstallmentCount(1).setInstallmentNo(1),
            null),
        event("eventTime exactly a day ahead is valid", "p1", e -> e.setEventTime(DAY_AHEAD), null),
        event("empty eventId", "p1", e -> e.setEventId(""), "eventId is empty"),
        event("empty planId", "", e -> e.setPlanId(""), "planId is empty"),
        event("empty accountId", "p1", e -> e.setAccountId(""), "accountId is empty"),
        event("empty identityId", "p1", e -> e.setIdentityId(""), "identityId is empty"),
        event("key differs from planId", "p2", e -> {}, "record key 'p2' differs from planId 'p1'"),
        event("null key", null, e -> {}, "record key null differs from planId 'p1'"),
        event("negative amount", "p1", e -> e.setAmountMinor(-5), "amountMinor -5 is negative"),
        event(
            "installmentCount 0",
            "p1",
            e -> e.setInstallmentCount(0).setInstallmentNo(0),
            "installmentCount 0 is below 1"),
        event(
            "negative installmentNo",
            "p1",
            e -> e.setInstallmentNo(-1),
            "installmentNo -1 is outside 0..3"),
        event(
            "installmentNo above installmentCount",
            "p1",
            e -> e.setInstallmentNo(4),
            "installmentNo 4 is outside 0..3"),
        event(
            "negative eventTime",
            "p1",
            e -> e.setEventTime(Instant.ofEpochMilli(-1)),
            "eventTime -1 is negative"),
        event(
            "eventTime a day and a millisecond ahead",
            "p1",
            e -> e.setEventTime(DAY_AHEAD.plusMillis(1)),
            "more than a day ahead"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("repaymentEvents")
  void shouldCheckRepaymentEvent(
      final String description,
      final String key,
      final RepaymentEvent value,
      final String expected) {
    // Given (the row)

    // When
    final Optional<String> violation = Contract.violation(key, value, NOW);

    // Then
    assertViolation(violation, expected);
  }

  static Stream<Arguments> opsCommands() {
    return Stream.of(
        ops("valid", "p1", c -> {}, null),
        ops("empty reason is valid (free text)", "p1", c -> c.setReason(""), null),
        ops("issuedAt exactly a day ahead is valid", "p1", c -> c.setIssuedAt(DAY_AHEAD), null),
        ops("empty commandId", "p1", c -> c.setCommandId(""), "commandId is empty"),
        ops("null commandId", "p1", c -> c.setCommandId(null), "commandId is empty"),
        ops("empty planId", "", c -> c.setPlanId(""), "planId is empty"),
        ops("empty analyst", "p1", c -> c.setAnalyst(""), "analyst is empty"),
        ops("key differs from planId", "p2", c -> {}, "record key 'p2' differs from planId 'p1'"),
        ops("null key", null, c -> {}, "record key null differs from planId 'p1'"),
        ops(
            "negative issuedAt",
            "p1",
            c -> c.setIssuedAt(Instant.ofEpochMilli(-1)),
            "issuedAt -1 is negative"),
        ops(
            "issuedAt a day and a millisecond ahead",
            "p1",
            c -> c.setIssuedAt(DAY_AHEAD.plusMillis(1)),
            "more than a day ahead"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("opsCommands")
  void shouldCheckOpsCommand(
      final String description, final String key, final OpsCommand value, final String expected) {
    // Given (the row)

    // When
    final Optional<String> violation = Contract.violation(key, value, NOW);

    // Then
    assertViolation(violation, expected);
  }

  static Stream<Arguments> sameCredit() {
    return Stream.of(
        Arguments.of("same creditId", "c1", Optional.of("c1"), null),
        Arguments.of("both name none", null, Optional.empty(), null),
        Arguments.of(
            "another creditId",
            "c2",
            Optional.of("c1"),
            "plan p1 first named creditId c1 but event p1-c names c2"),
        Arguments.of(
            "a creditId where the first named none",
            "c1",
            Optional.empty(),
            "plan p1 first named creditId null but event p1-c names c1"),
        Arguments.of(
            "none where the first named one",
            null,
            Optional.of("c1"),
            "plan p1 first named creditId c1 but event p1-c names null"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sameCredit")
  void shouldKeepEveryEventOfAPlanOnItsFirstCreditId(
      final String description,
      final String named,
      final Optional<String> first,
      final String expected) {
    // Given
    final RepaymentEvent event = aRepaymentEvent().setCreditId(named).build();

    // When
    final Optional<String> violation = Contract.sameCredit(event, first);

    // Then
    assertViolation(violation, expected);
  }

  private static void assertViolation(final Optional<String> violation, final String expected) {
    if (expected == null) {
      assertThat(violation).isEmpty();
    } else {
      assertThat(violation).hasValueSatisfying(v -> assertThat(v).contains(expected));
    }
  }

  private static Arguments credit(
      final String description,
      final String key,
      final Consumer<CreditUse> change,
      final String expected) {
    final CreditUse value = aCreditUse().build();
    change.accept(value);
    return Arguments.of(description, key, value, expected);
  }

  private static Arguments order(
      final String description,
      final String key,
      final Consumer<MerchantOrder> change,
      final String expected) {
    final MerchantOrder value = aMerchantOrder().build();
    change.accept(value);
    return Arguments.of(description, key, value, expected);
  }

  private static Arguments event(
      final String description,
      final String key,
      final Consumer<RepaymentEvent.Builder> change,
      final String expected) {
    final RepaymentEvent.Builder value = aRepaymentEvent();
    change.accept(value);
    final RepaymentEvent built = value.build();
    return Arguments.of(description, key, built, expected);
  }

  private static Arguments ops(
      final String description,
      final String key,
      final Consumer<OpsCommand> change,
      final String expected) {
    final OpsCommand value = anOpsCommand().build();
    change.accept(value);
    return Arguments.of(description, key, value, expected);
  }
}

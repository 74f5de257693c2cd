package io.repayguard.rules;

import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aMerchantOrder;
import static io.repayguard.events.Events.aRepaymentEvent;
import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.events.CreditStatus;
import io.repayguard.events.CreditUse;
import io.repayguard.events.MerchantOrder;
import io.repayguard.events.OrderStatus;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.RepaymentEventType;
import io.repayguard.events.Rule;
import io.repayguard.events.Severity;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Rules.judge, table-driven: which of the five rules fire, how severe, with what evidence. */
class RulesTest {
  private static final int MAX_FEE_BPS = 800;

  /** What a finding says, without its sentence. */
  record Fired(String planId, Rule rule, Severity severity) {}

  /** One row: an event, what has arrived, the total the amount rule tests, and what fires. */
  record Case(
      RepaymentEvent event,
      Optional<CreditUse> borrowing,
      Optional<MerchantOrder> order,
      Optional<Long> total,
      boolean borrowingRulesOnly,
      List<Fired> expected) {}

  static Stream<Arguments> cases() {
    final CreditUse ok = aCreditUse().build();
    final MerchantOrder paid = aMerchantOrder().build();
    final RepaymentEvent created = aRepaymentEvent().build();
    final Optional<Long> planTotal = Optional.of(created.getAmountMinor());
    return Stream.of(
        row(
            "consistent plan fires nothing",
            new Case(created, Optional.of(ok), Optional.of(paid), planTotal, false, List.of())),
        row(
            "unknown creditId fires NO_BORROWING",
            new Case(
                created,
                Optional.empty(),
                Optional.empty(),
                planTotal,
                false,
                List.of(fired(Rule.NO_BORROWING, Severity.CRITICAL)))),
        row(
            "null creditId fires NO_BORROWING",
            new Case(
                aRepaymentEvent().setCreditId(null).build(),
                Optional.empty(),
                Optional.empty(),
                planTotal,
                false,
                List.of(fired(Rule.NO_BORROWING, Severity.CRITICAL)))),
        row(
            "re-decision skips NO_BORROWING",
            new Case(created, Optional.empty(), Optional.empty(), planTotal, true, List.of())),
        row(
            "PLAN_CLOSED without borrowing fires nothing",
            new Case(
                aRepaymentEvent().setType(RepaymentEventType.PLAN_CLOSED).build(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                false,
                List.of())),
        row(
            "PLAN_CLOSED against a reversed, foreign, unpaid borrowing fires nothing",
            new Case(
                aRepaymentEvent()
                    .setType(RepaymentEventType.PLAN_CLOSED)
                    .setAccountId("a-other")
                    .setIdentityId("id-other")
                    .build(),
                Optional.of(aCreditUse().setStatus(CreditStatus.REVERSED).build()),
                Optional.empty(),
                Optional.of(1_000_000L),
                false,
                List.of())),
        row(
            "reversed borrowing fires BORROWING_REVERSED",
            new Case(
                created,
                Optional.of(aCreditUse().setStatus(CreditStatus.REVERSED).build()),
                Optional.of(paid),
                planTotal,
                false,
                List.of(fired(Rule.BORROWING_REVERSED, Severity.HIGH)))),
        row(
            "missing order fires ORDER_NOT_PAID",
            new Case(
                created,
                Optional.of(ok),
                Optional.empty(),
                planTotal,
                false,
                List.of(fired(Rule.ORDER_NOT_PAID, Severity.HIGH)))),
        row(
            "cancelled order fires ORDER_NOT_PAID",
            new Case(
                created,
                Optional.of(ok),
                Optional.of(aMerchantOrder().setStatus(OrderStatus.CANCELLED).build()),
                planTotal,
                false,
                List.of(fired(Rule.ORDER_NOT_PAID, Severity.HIGH)))),
        row(
            "cash withdrawal without order never fires ORDER_NOT_PAID",
            new Case(
                created,
                Optional.of(aCreditUse().setMerchantOrderId(null).build()),
                Optional.empty(),
                planTotal,
                false,
                List.of())),
        row(
            "another account of the same identity fires ACCOUNT_MISMATCH MEDIUM",
            new Case(
                aRepaymentEvent().setAccountId("a1b").build(),
                Optional.of(ok),
                Optional.of(paid),
                planTotal,
                false,
                List.of(fired(Rule.ACCOUNT_MISMATCH, Severity.MEDIUM)))),
        row(
            "an account of another identity fires ACCOUNT_MISMATCH HIGH",
            new Case(
                aRepaymentEvent().setAccountId("a-other").setIdentityId("id-other").build(),
                Optional.of(ok),
                Optional.of(paid),
                planTotal,
                false,
                List.of(fired(Rule.ACCOUNT_MISMATCH, Severity.HIGH)))),
        row(
            "same account under another identity fires nothing",
            new Case(
                aRepaymentEvent().setIdentityId("id-other").build(),
                Optional.of(ok),
                Optional.of(paid),
                planTotal,
                false,
                List.of())),
        row(
            "plan total at the cap fires nothing",
            new Case(
                aRepaymentEvent().setAmountMinor(108_000).build(),
                Optional.of(aCreditUse().setAmountMinor(100_000).build()),
                Optional.of(paid),
                Optional.of(108_000L),
                false,
                List.of())),
        row(
            "plan total one fen above the cap fires AMOUNT_EXCEEDS_BORROWING",
            new Case(
                aRepaymentEvent().setAmountMinor(108_001).build(),
                Optional.of(aCreditUse().setAmountMinor(100_000).build()),
                Optional.of(paid),
                Optional.of(108_001L),
                false,
                List.of(fired(Rule.AMOUNT_EXCEEDS_BORROWING, Severity.MEDIUM)))),
        row(
            "sum collected above the cap fires AMOUNT_EXCEEDS_BORROWING",
            new Case(
                collected(40_000),
                Optional.of(aCreditUse().setAmountMinor(100_000).build()),
                Optional.of(paid),
                Optional.of(108_001L),
                false,
                List.of(fired(Rule.AMOUNT_EXCEEDS_BORROWING, Severity.MEDIUM)))),
        row(
            "an installment due has no total to test",
            new Case(
                aRepaymentEvent()
                    .setType(RepaymentEventType.INSTALLMENT_DUE)
                    .setInstallmentNo(1)
                    .setAmountMinor(900_000)
                    .build(),
                Optional.of(ok),
                Optional.of(paid),
                Optional.empty(),
                false,
                List.of())),
        row(
            "several rules fire at once, in rule order",
            new Case(
                aRepaymentEvent()
                    .setAccountId("a-other")
                    .setIdentityId("id-other")
                    .setAmountMinor(200_000)
                    .build(),
                Optional.of(aCreditUse().setStatus(CreditStatus.REVERSED).build()),
                Optional.of(aMerchantOrder().setStatus(OrderStatus.REFUNDED).build()),
                Optional.of(200_000L),
                false,
                List.of(
                    fired(Rule.BORROWING_REVERSED, Severity.HIGH),
                    fired(Rule.ORDER_NOT_PAID, Severity.HIGH),
                    fired(Rule.ACCOUNT_MISMATCH, Severity.HIGH),
                    fired(Rule.AMOUNT_EXCEEDS_BORROWING, Severity.MEDIUM)))),
        row(
            "re-decision still fires the rules that need the borrowing",
            new Case(
                created,
                Optional.of(aCreditUse().setStatus(CreditStatus.REVERSED).build()),
                Optional.of(paid),
                planTotal,
                true,
                List.of(fired(Rule.BORROWING_REVERSED, Severity.HIGH)))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shouldFireExactlyTheExpectedRules(final String description, final Case c) {
    // Given (the row)

    // When
    final List<Finding> findings =
        Rules.judge(
            c.event(),
            c.borrowing(),
            c.order(),
            c.total().map(BigInteger::valueOf),
            MAX_FEE_BPS,
            c.borrowingRulesOnly());

    // Then
    assertThat(findings)
        .map(f -> new Fired(f.planId(), f.rule(), f.severity()))
        .containsExactlyElementsOf(c.expected());
    assertThat(findings).allSatisfy(f -> assertThat(f.explanation()).contains("p1"));
  }

  @ParameterizedTest(name = "order {0}")
  @EnumSource(
      value = OrderStatus.class,
      names = {"CREATED", "CANCELLED", "REFUNDED", "FAILED"})
  void shouldRaiseOrderNotPaidWithOrderStatusAsEvidence(final OrderStatus status) {
    // Given
    final MerchantOrder order = aMerchantOrder().setStatus(status).build();

    // When
    final List<Finding> findings =
        Rules.judge(
            aRepaymentEvent().build(),
            Optional.of(aCreditUse().build()),
            Optional.of(order),
            Optional.empty(),
            MAX_FEE_BPS,
            false);

    // Then
    assertThat(findings)
        .map(RulesTest::withoutExplanation)
        .containsExactly(
            new Finding(
                "p1",
                Rule.ORDER_NOT_PAID,
                Severity.HIGH,
                null,
                Map.ofEntries(
                    Map.entry("eventType", "PLAN_CREATED"),
                    Map.entry("planAccountId", "a1"),
                    Map.entry("amountMinor", "123000"),
                    Map.entry("currency", "CNY"),
                    Map.entry("creditId", "c1"),
                    Map.entry("borrowerAccountId", "a1"),
                    Map.entry("borrowingStatus", "APPROVED"),
                    Map.entry("principalMinor", "120000"),
                    Map.entry("orderId", "o1"),
                    Map.entry("orderStatus", status.name()),
                    Map.entry("merchantId", "m1"))));
    assertThat(findings.get(0).explanation()).contains("o1", status.name(), "c1");
  }

  @Test
  void shouldRaiseOrderNotPaidWithMissingAsEvidenceWhenOrderNeverArrived() {
    // Given
    final CreditUse borrowing = aCreditUse().build();

    // When
    final List<Finding> findings =
        Rules.judge(
            aRepaymentEvent().build(),
            Optional.of(borrowing),
            Optional.empty(),
            Optional.empty(),
            MAX_FEE_BPS,
            false);

    // Then
    assertThat(findings)
        .map(RulesTest::withoutExplanation)
        .containsExactly(
            new Finding(
                "p1",
                Rule.ORDER_NOT_PAID,
                Severity.HIGH,
                null,
                Map.of(
                    "eventType",
                    "PLAN_CREATED",
                    "planAccountId",
                    "a1",
                    "amountMinor",
                    "123000",
                    "currency",
                    "CNY",
                    "creditId",
                    "c1",
                    "borrowerAccountId",
                    "a1",
                    "borrowingStatus",
                    "APPROVED",
                    "principalMinor",
                    "120000",
                    "orderId",
                    "o1",
                    "orderStatus",
                    "MISSING")));
    assertThat(findings.get(0).explanation()).contains("o1", "never arrived");
  }

  @Test
  void shouldRaiseNoBorrowingNamingTheMissingCreditId() {
    // Given
    final RepaymentEvent event = aRepaymentEvent().setCreditId("c-missing").build();

    // When
    final List<Finding> findings =
        Rules.judge(
            event, Optional.empty(), Optional.empty(), Optional.empty(), MAX_FEE_BPS, false);

    // Then
    assertThat(findings)
        .map(RulesTest::withoutExplanation)
        .containsExactly(
            new Finding(
                "p1",
                Rule.NO_BORROWING,
                Severity.CRITICAL,
                null,
                Map.of(
                    "eventType",
                    "PLAN_CREATED",
                    "planAccountId",
                    "a1",
                    "amountMinor",
                    "123000",
                    "currency",
                    "CNY",
                    "creditId",
                    "c-missing",
                    "borrowing",
                    "MISSING")));
    assertThat(findings.get(0).explanation()).contains("p1", "a1", "c-missing");
  }

  @Test
  void shouldRaiseNoBorrowingWithCreditIdNoneWhenCreditIdNull() {
    // Given
    final RepaymentEvent event = aRepaymentEvent().setCreditId(null).build();

    // When
    final List<Finding> findings =
        Rules.judge(
            event, Optional.empty(), Optional.empty(), Optional.empty(), MAX_FEE_BPS, false);

    // Then
    assertThat(findings)
        .map(RulesTest::withoutExplanation)
        .containsExactly(
            new Finding(
                "p1",
                Rule.NO_BORROWING,
                Severity.CRITICAL,
                null,
                Map.of(
                    "eventType",
                    "PLAN_CREATED",
                    "planAccountId",
                    "a1",
                    "amountMinor",
                    "123000",
                    "currency",
                    "CNY",
                    "creditId",
                    "NONE")));
    assertThat(findings.get(0).explanation()).contains("names no borrowing");
  }

  @Test
  void shouldRaiseAccountMismatchWithBothIdentitiesAsEvidence() {
    // Given
    final RepaymentEvent event =
        aRepaymentEvent().setAccountId("a-other").setIdentityId("id-other").build();

    // When
    final List<Finding> findings =
        Rules.judge(
            event,
            Optional.of(aCreditUse().build()),
            Optional.of(aMerchantOrder().build()),
            Optional.empty(),
            MAX_FEE_BPS,
            false);

    // Then
    assertThat(findings)
        .map(RulesTest::withoutExplanation)
        .containsExactly(
            new Finding(
                "p1",
                Rule.ACCOUNT_MISMATCH,
                Severity.HIGH,
                null,
                Map.ofEntries(
                    Map.entry("eventType", "PLAN_CREATED"),
                    Map.entry("planAccountId", "a-other"),
                    Map.entry("amountMinor", "123000"),
                    Map.entry("currency", "CNY"),
                    Map.entry("creditId", "c1"),
                    Map.entry("borrowerAccountId", "a1"),
                    Map.entry("borrowingStatus", "APPROVED"),
                    Map.entry("principalMinor", "120000"),
                    Map.entry("planIdentityId", "id-other"),
                    Map.entry("borrowerIdentityId", "id-a1"),
                    Map.entry("sameIdentity", "false"))));
    assertThat(findings.get(0).explanation()).contains("a-other", "a1", "different person");
  }

  @Test
  void shouldRaiseAmountExceedsWithTotalAndCapAsEvidence() {
    // Given
    final RepaymentEvent event = collected(40_000);
    final CreditUse borrowing = aCreditUse().setAmountMinor(100_000).build();

    // When
    final List<Finding> findings =
        Rules.judge(
            event,
            Optional.of(borrowing),
            Optional.of(aMerchantOrder().build()),
            Optional.of(BigInteger.valueOf(108_001L)),
            MAX_FEE_BPS,
            false);

    // Then
    assertThat(findings)
        .map(RulesTest::withoutExplanation)
        .containsExactly(
            new Finding(
                "p1",
                Rule.AMOUNT_EXCEEDS_BORROWING,
                Severity.MEDIUM,
                null,
                Map.ofEntries(
                    Map.entry("eventType", "REPAYMENT_COLLECTED"),
                    Map.entry("planAccountId", "a1"),
                    Map.entry("amountMinor", "40000"),
                    Map.entry("currency", "CNY"),
                    Map.entry("creditId", "c1"),
                    Map.entry("borrowerAccountId", "a1"),
                    Map.entry("borrowingStatus", "APPROVED"),
                    Map.entry("principalMinor", "100000"),
                    Map.entry("collectedMinor", "108001"),
                    Map.entry("maxFeeBps", "800"),
                    Map.entry("capMinor", "108000"))));
    assertThat(findings.get(0).explanation())
        .contains("has collected 1080.01 CNY", "1000.00 CNY", "1080.00 CNY");
  }

  @Test
  void shouldKeepEvidenceInAStableOrder() {
    // Given
    final RepaymentEvent event = aRepaymentEvent().setAccountId("a1b").build();

    // When
    final List<Finding> findings =
        Rules.judge(
            event,
            Optional.of(aCreditUse().build()),
            Optional.of(aMerchantOrder().build()),
            Optional.empty(),
            MAX_FEE_BPS,
            false);

    // Then
    assertThat(findings)
        .singleElement()
        .extracting(f -> List.copyOf(f.evidence().keySet()))
        .isEqualTo(
            List.of(
                "eventType",
                "planAccountId",
                "amountMinor",
                "currency",
                "creditId",
                "borrowerAccountId",
                "borrowingStatus",
                "principalMinor",
                "planIdentityId",
                "borrowerIdentityId",
                "sameIdentity"));
  }

  private static Arguments row(final String description, final Case c) {
    return Arguments.of(description, c);
  }

  private static Fired fired(final Rule rule, final Severity severity) {
    return new Fired("p1", rule, severity);
  }

  private static RepaymentEvent collected(final long amount) {
    return aRepaymentEvent()
        .setEventId("p1-r1")
        .setType(RepaymentEventType.REPAYMENT_COLLECTED)
        .setInstallmentNo(1)
        .setAmountMinor(amount)
        .build();
  }

  private static Finding withoutExplanation(final Finding f) {
    return new Finding(f.planId(), f.rule(), f.severity(), null, f.evidence());
  }
}

package io.repayguard.scenario;

import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aRepaymentEvent;
import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.events.CreditUse;
import io.repayguard.events.RepaymentEvent;
import org.junit.jupiter.api.Test;

class AvroToJsonTest {

  @Test
  void shouldWriteTheScenarioFormatThatReadsBackToTheSameRecord() {
    // Given
    final CreditUse cash = aCreditUse().setMerchantOrderId(null).build();
    final RepaymentEvent event = aRepaymentEvent().build();

    // When
    final String cashLine = AvroToJson.line("credit-use", cash.getCreditId(), cash);
    final String eventLine = AvroToJson.line("repayment-plan", event.getPlanId(), event);

    // Then
    assertThat(cashLine)
        .isEqualTo(
            "{\"topic\":\"credit-use\",\"key\":\"c1\",\"value\":"
                + "{\"creditId\":\"c1\",\"accountId\":\"a1\",\"identityId\":\"id-a1\","
                + "\"merchantOrderId\":null,\"amountMinor\":120000,\"currency\":\"CNY\","
                + "\"installmentCount\":3,\"status\":\"APPROVED\",\"eventTime\":1772323200000}}");
    for (final String line : new String[] {cashLine, eventLine}) {
      final ScenarioFile.Publish read =
          (ScenarioFile.Publish) ScenarioFile.parse(1, line).orElseThrow();
      assertThat(AvroToJson.line(read.topic(), read.key(), read.value())).isEqualTo(line);
    }
  }
}

package io.repayguard.detector;

import io.repayguard.detector.facts.OrderRef;
import io.repayguard.events.CreditUse;
import io.repayguard.rules.Contract;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Ingests borrowings: each goes to the facts log under its creditId, and, when it names a merchant
 * order, a reference goes to the order-link stage so the order's state follows it.
 */
final class CreditUseIngest extends IngestProcessor<CreditUse> {

  CreditUseIngest(
      final DetectorConfig config, final Deserializer<CreditUse> decoder, final InputLag inputLag) {
    super(
        config.topics().creditUse(),
        decoder,
        config,
        List.of(Names.CREDIT_USE_FACTS_SINK, Names.CREDIT_USE_ORDER_LINKS_SINK),
        Names.CREDIT_USE_DLQ_SINK,
        inputLag);
  }

  @Override
  Optional<String> violation(final String key, final CreditUse value, final Instant now) {
    return Contract.violation(key, value, now);
  }

  @Override
  long eventTime(final CreditUse value) {
    return value.getEventTime().toEpochMilli();
  }

  @Override
  void route(final CreditUse borrowing, final long timestamp) {
    forward(Names.CREDIT_USE_FACTS_SINK, borrowing.getCreditId(), borrowing, timestamp);
    if (borrowing.getMerchantOrderId() != null) {
      forward(
          Names.CREDIT_USE_ORDER_LINKS_SINK,
          borrowing.getMerchantOrderId(),
          OrderRef.newBuilder()
              .setCreditId(borrowing.getCreditId())
              .setOrderId(borrowing.getMerchantOrderId())
              .setEventTime(borrowing.getEventTime().toEpochMilli())
              .build(),
          timestamp);
    }
  }
}

package io.repayguard.detector;

import io.repayguard.events.MerchantOrder;
import io.repayguard.rules.Contract;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Ingests merchant orders: each goes to the order-link stage under its orderId; the partition's
 * clock goes there and to every facts partition.
 */
final class MerchantOrderIngest extends IngestProcessor<MerchantOrder> {

  MerchantOrderIngest(
      final DetectorConfig config,
      final Deserializer<MerchantOrder> decoder,
      final InputLag inputLag) {
    super(
        config.topics().merchantOrder(),
        decoder,
        config,
        List.of(Names.MERCHANT_ORDER_ORDER_LINKS_SINK, Names.MERCHANT_ORDER_FACTS_SINK),
        Names.MERCHANT_ORDER_DLQ_SINK,
        inputLag);
  }

  @Override
  Optional<String> violation(final String key, final MerchantOrder value, final Instant now) {
    return Contract.violation(key, value, now);
  }

  @Override
  long eventTime(final MerchantOrder value) {
    return value.getEventTime().toEpochMilli();
  }

  @Override
  void route(final MerchantOrder order, final long timestamp) {
    forward(Names.MERCHANT_ORDER_ORDER_LINKS_SINK, order.getOrderId(), order, timestamp);
  }
}

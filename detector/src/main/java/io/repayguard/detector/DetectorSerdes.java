package io.repayguard.detector;

import io.repayguard.events.Alert;
import io.repayguard.events.CreditUse;
import io.repayguard.events.HoldCommand;
import io.repayguard.events.MerchantOrder;
import io.repayguard.events.OpsCommand;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.serde.SpecificAvroSerde;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * The serdes of the contract topics, in Confluent's wire format against a schema registry.
 *
 * <p>Internal topics and stores use {@link AvroBinarySerde} and need no registry.
 */
public record DetectorSerdes(
    SpecificAvroSerde<CreditUse> creditUse,
    SpecificAvroSerde<MerchantOrder> merchantOrder,
    SpecificAvroSerde<RepaymentEvent> repaymentEvent,
    SpecificAvroSerde<Alert> alert,
    SpecificAvroSerde<HoldCommand> holdCommand,
    SpecificAvroSerde<OpsCommand> opsCommand) {

  /** Serdes configured with Confluent-style settings ({@code schema.registry.url}, ...). */
  public static DetectorSerdes fromConfig(final Map<String, ?> serdeConfig) {
    return new DetectorSerdes(
        configured(new SpecificAvroSerde<>(CreditUse.getClassSchema()), serdeConfig),
        configured(new SpecificAvroSerde<>(MerchantOrder.getClassSchema()), serdeConfig),
        configured(new SpecificAvroSerde<>(RepaymentEvent.getClassSchema()), serdeConfig),
        configured(new SpecificAvroSerde<>(Alert.getClassSchema()), serdeConfig),
        configured(new SpecificAvroSerde<>(HoldCommand.getClassSchema()), serdeConfig),
        configured(new SpecificAvroSerde<>(OpsCommand.getClassSchema()), serdeConfig));
  }

  private static <T extends SpecificRecord> SpecificAvroSerde<T> configured(
      final SpecificAvroSerde<T> serde, final Map<String, ?> config) {
    serde.configure(config, false);
    return serde;
  }
}

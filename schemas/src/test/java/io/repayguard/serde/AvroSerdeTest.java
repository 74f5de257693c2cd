package io.repayguard.serde;

import static io.repayguard.events.Events.aCreditUse;
import static io.repayguard.events.Events.aMerchantOrder;
import static io.repayguard.events.Events.aRepaymentEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.CreditUse;
import io.repayguard.events.HoldAction;
import io.repayguard.events.HoldCommand;
import io.repayguard.events.MerchantOrder;
import io.repayguard.events.OrderStatus;
import io.repayguard.events.Rule;
import io.repayguard.events.Severity;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroSerdeTest {
  private final String scope = "serde-test-" + UUID.randomUUID();
  private final Map<String, Object> config =
      Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "mock://" + scope);

  @AfterEach
  void dropRegistry() {
    MockSchemaRegistry.dropScope(scope);
  }

  @Test
  void shouldFrameValueExactlyLikeConfluent() {
    // Given
    final MerchantOrder order =
        MerchantOrder.newBuilder()
            .setOrderId("o1")
            .setMerchantId("m")
            .setAccountId("a")
            .setAmountMinor(100)
            .setCurrency("CNY")
            .setStatus(OrderStatus.PAID)
            .setEventTime(Instant.ofEpochMilli(1))
            .build();
    final SpecificAvroSerde<MerchantOrder> serde = serde(MerchantOrder.getClassSchema());
    MockSchemaRegistry.forScope(scope).register("other-value", CreditUse.getClassSchema());

    // When
    final byte[] bytes = serde.serializer().serialize("merchant-order", order);

    // Then: magic 0, id 2 big-endian, then Avro binary written out by hand:
    // "o1" (len 2 -> zigzag 04), "m", "a", 100 (zigzag 200 = c8 01), "CNY", PAID (index 1 -> 02),
    // eventTime 1 (-> 02)
    assertThat(HexFormat.of().formatHex(bytes))
        .isEqualTo(
            "00" + "00000002" + "046f31" + "026d" + "0261" + "c801" + "06434e59" + "02" + "02");
  }

  static Stream<SpecificRecord> everyContractRecord() {
    return Stream.of(
        aCreditUse().build(),
        aCreditUse().setMerchantOrderId(null).build(),
        aMerchantOrder().build(),
        aRepaymentEvent().build(),
        aRepaymentEvent().setCreditId(null).build(),
        Alert.newBuilder()
            .setAlertId("p1/NO_BORROWING/1")
            .setRule(Rule.NO_BORROWING)
            .setSeverity(Severity.CRITICAL)
            .setStatus(AlertStatus.OPEN)
            .setPlanId("p1")
            .setCreditId("c1")
            .setAccountId("a1")
            .setTriggeringEventId("p1-c")
            .setExplanation("No borrowing c1 exists.")
            .setEvidence(Map.of("creditId", "c1"))
            .setEventTime(Instant.ofEpochMilli(5))
            .setDecidedAt(Instant.ofEpochMilli(7))
            .build(),
        HoldCommand.newBuilder()
            .setCommandId("p1/HOLD/1")
            .setAction(HoldAction.HOLD)
            .setPlanId("p1")
            .setAccountId("a1")
            .setRules(List.of(Rule.NO_BORROWING))
            .setAlertIds(List.of("p1/NO_BORROWING/1"))
            .setDecidedAt(Instant.ofEpochMilli(7))
            .build());
  }

  @ParameterizedTest
  @MethodSource("everyContractRecord")
  <T extends SpecificRecord> void shouldRoundTripEveryContractRecord(final T record) {
    // Given
    final SpecificAvroSerde<T> serde = serde(record.getSchema());

    // When
    final T back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", record));

    // Then
    assertThat(back).isEqualTo(record);
  }

  @Test
  void shouldReadNewerWriterSchemaWithExtraOptionalField() {
    // Given a producer elsewhere whose CreditUse has one more optional field
    final Schema newer = withExtraOptionalField(CreditUse.getClassSchema(), "channel");
    final GenericRecord written = new GenericData.Record(newer);
    final CreditUse expected = aCreditUse().build();
    for (final Schema.Field field : CreditUse.getClassSchema().getFields()) {
      final Object value = expected.get(field.pos());
      final Object plain = value instanceof Instant i ? (Object) i.toEpochMilli() : value;
      written.put(
          field.name(),
          plain instanceof Enum<?> e
              ? new GenericData.EnumSymbol(field.schema(), e.name())
              : plain);
    }
    written.put("channel", "app");
    final AvroSerializer<GenericRecord> producer = new AvroSerializer<>();
    producer.configure(config, false);
    final byte[] bytes = producer.serialize("credit-use", written);

    // When
    final SpecificAvroSerde<CreditUse> serde = serde(CreditUse.getClassSchema());
    final CreditUse read = serde.deserializer().deserialize("credit-use", bytes);

    // Then
    assertThat(read).isEqualTo(expected);
  }

  @Test
  void shouldReadGenericRecordsWhenNotSpecific() {
    // Given
    final byte[] bytes =
        serde(CreditUse.getClassSchema())
            .serializer()
            .serialize("credit-use", aCreditUse().build());
    final AvroDeserializer<Object> generic = new AvroDeserializer<>();
    generic.configure(config, false);

    // When
    final Object read = generic.deserialize("credit-use", bytes);

    // Then
    assertThat(read).isInstanceOf(GenericRecord.class);
    assertThat(((GenericRecord) read).get("creditId")).hasToString("c1");
  }

  @Test
  void shouldWriteAGenericAndASpecificValueOfOneSchemaAlike() {
    // Given: one serializer that has written a generic record of CreditUse's schema
    final AvroSerializer<GenericContainer> serializer = new AvroSerializer<>();
    serializer.configure(config, false);
    final CreditUse specific = aCreditUse().build();
    final GenericRecord generic = new GenericData.Record(CreditUse.getClassSchema());
    for (final Schema.Field field : CreditUse.getClassSchema().getFields()) {
      generic.put(field.name(), specific.get(field.name()));
    }
    generic.put("eventTime", specific.getEventTime().toEpochMilli());
    generic.put(
        "status",
        new GenericData.EnumSymbol(
            CreditUse.getClassSchema().getField("status").schema(), specific.getStatus().name()));
    final byte[] fromGeneric = serializer.serialize("credit-use", generic);

    // When: it writes the specific record of the same schema
    final byte[] fromSpecific = serializer.serialize("credit-use", specific);

    // Then: with the specific writer (its Instant converted), byte for byte the same
    assertThat(fromSpecific).isEqualTo(fromGeneric);
  }

  @Test
  void shouldRefuseBytesWithoutMagicByte() {
    final SpecificAvroSerde<CreditUse> serde = serde(CreditUse.getClassSchema());

    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {1, 0, 0, 0, 1, 2}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Unknown magic byte");
  }

  @Test
  void shouldRefuseUnknownSchemaId() {
    final SpecificAvroSerde<CreditUse> serde = serde(CreditUse.getClassSchema());

    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {0, 0, 0, 0, 99, 2}))
        .isInstanceOf(UnknownSchemaIdException.class)
        .hasMessageContaining("Schema 99 not found");
  }

  @Test
  void shouldLookUpInsteadOfRegisteringWhenAutoRegisterIsOff() {
    // Given
    final SpecificAvroSerde<CreditUse> serde = new SpecificAvroSerde<>(CreditUse.getClassSchema());
    serde.configure(
        Map.of(
            AvroSerdeConfig.SCHEMA_REGISTRY_URL,
            "mock://" + scope,
            AvroSerdeConfig.AUTO_REGISTER_SCHEMAS,
            "false"),
        false);

    // When / Then
    assertThatThrownBy(() -> serde.serializer().serialize("credit-use", aCreditUse().build()))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("credit-use-value");
    MockSchemaRegistry.forScope(scope).register("credit-use-value", CreditUse.getClassSchema());
    assertThat(serde.serializer().serialize("credit-use", aCreditUse().build()))
        .startsWith(0, 0, 0, 0, 1);
  }

  @Test
  void shouldUseConfluentConfigKeys() {
    final AvroSerdeConfig parsed =
        AvroSerdeConfig.from(
            Map.of(
                "schema.registry.url", "http://r:8081",
                "auto.register.schemas", "false",
                "use.latest.version", "true",
                "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "me:secret"));

    assertThat(parsed)
        .isEqualTo(
            new AvroSerdeConfig(
                "http://r:8081",
                false,
                true,
                java.util.Optional.of("me:secret"),
                false,
                java.util.Optional.empty()));
  }

  private <T extends SpecificRecord> SpecificAvroSerde<T> serde(final Schema schema) {
    final SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(schema);
    serde.configure(config, false);
    return serde;
  }

  private static Schema withExtraOptionalField(final Schema base, final String name) {
    final List<Schema.Field> fields = new java.util.ArrayList<>();
    for (final Schema.Field f : base.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(
        new Schema.Field(
            name,
            SchemaBuilder.unionOf().nullType().and().stringType().endUnion(),
            "added later",
            Schema.Field.NULL_DEFAULT_VALUE));
    return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
  }
}

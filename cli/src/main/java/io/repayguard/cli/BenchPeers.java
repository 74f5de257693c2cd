package io.repayguard.cli;

import io.repayguard.detector.TopicNames;
import io.repayguard.events.RepaymentEvent;
import java.time.Duration;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The two Kafka Streams topologies {@code bench} sets beside the detector, as pure functions: a
 * floor (what exactly-once costs with no work at all) and the join a Kafka Streams user would write
 * instead of repayguard.
 *
 * <p>Both read the detector's three inputs from the earliest offset and pass values through as the
 * bytes they were published as; they are meant to run with {@code exactly_once_v2} and {@code
 * ensure.explicit.internal.resource.naming}, so every store, internal topic and node is named here.
 */
final class BenchPeers {
  static final String PASS_THROUGH_SOURCE = "pass-through-source";
  static final String PASS_THROUGH_SINK = "pass-through-sink";

  static final String CREDIT_USE_SOURCE = "join-credit-use-source";
  static final String REPAYMENT_PLAN_SOURCE = "join-repayment-plan-source";

  /**
   * The versioned table of borrowings; its changelog is {@code <application.id>-<this>-changelog}.
   */
  static final String BORROWINGS_STORE = "join-borrowings";

  static final String KEY_BY_CREDIT = "join-key-by-credit";

  /** The repartition topic is {@code <application.id>-<this>-repartition}. */
  static final String REPAYMENTS_BY_CREDIT = "join-repayments-by-credit";

  /** Names the join and its grace buffer store. */
  static final String JOIN = "join-borrowing";

  static final String UNMATCHED = "join-unmatched";
  static final String UNMATCHED_SINK = "join-unmatched-sink";

  /**
   * How far back the borrowings table answers as-of look-ups: DESIGN.md's 400 days of borrowing
   * retention, so a backlog read with one partition far ahead of another finds its borrowing.
   */
  static final Duration BORROWINGS_HISTORY = Duration.ofDays(400);

  /**
   * The key of a repayment event that names no borrowing. No borrowing has an empty creditId
   * (DESIGN.md's contract), so it never matches, and the event is still written out; a null key
   * would leave its fate to how Streams repartitions null keys.
   */
  static final String NO_CREDIT = "";

  private BenchPeers() {}

  /**
   * Copies every record of the three inputs, key and value bytes as they are, to {@code output}.
   *
   * <p>Stateless; emits one record per input record, at once.
   */
  static Topology buildPassThrough(final TopicNames inputs, final String output) {
    final StreamsBuilder builder = new StreamsBuilder();
    builder.stream(
            inputs.inputs(),
            Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                .withOffsetResetPolicy(AutoOffsetReset.earliest())
                .withName(PASS_THROUGH_SOURCE))
        .to(
            output,
            Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(PASS_THROUGH_SINK));
    return builder.build();
  }

  /**
   * Writes to {@code output} every repayment event no borrowing stands behind, as a Kafka Streams
   * user would find them: repayment events re-keyed by creditId, left-joined to a versioned table
   * of borrowings (KIP-889/923).
   *
   * <p>Stateful. Borrowings are a table keyed by creditId in a versioned store kept {@link
   * #BORROWINGS_HISTORY}; each repayment event waits {@code grace} of stream time in the join's
   * buffer, so a borrowing published after its plan still counts when it comes within grace, then
   * is looked up as of its own timestamp (its eventTime, which is also the record timestamp). An
   * event whose creditId is null or names no borrowing valid at that time is written out, key
   * creditId ({@link #NO_CREDIT} for none) and value the event's bytes; a matched event writes
   * nothing. Only NO_BORROWING's question: no order, account or amount rules, no alert lifecycle.
   *
   * @param repayments decodes a {@code repayment-plan} value, for its creditId
   */
  static Topology buildUnmatchedJoin(
      final TopicNames inputs,
      final String output,
      final Deserializer<RepaymentEvent> repayments,
      final Duration grace) {
    final Serde<String> keys = Serdes.String();
    final Serde<byte[]> bytes = Serdes.ByteArray();
    final StreamsBuilder builder = new StreamsBuilder();
    final KTable<String, byte[]> borrowings =
        builder.table(
            inputs.creditUse(),
            Consumed.with(keys, bytes)
                .withOffsetResetPolicy(AutoOffsetReset.earliest())
                .withName(CREDIT_USE_SOURCE),
            Materialized.<String, byte[]>as(
                    Stores.persistentVersionedKeyValueStore(BORROWINGS_STORE, BORROWINGS_HISTORY))
                .withKeySerde(keys)
                .withValueSerde(bytes));
    builder.stream(
            inputs.repaymentPlan(),
            Consumed.with(keys, bytes)
                .withOffsetResetPolicy(AutoOffsetReset.earliest())
                .withName(REPAYMENT_PLAN_SOURCE))
        .selectKey(
            (planId, value) -> creditIdOf(repayments, inputs.repaymentPlan(), value),
            Named.as(KEY_BY_CREDIT))
        .repartition(
            Repartitioned.<String, byte[]>as(REPAYMENTS_BY_CREDIT)
                .withKeySerde(keys)
                .withValueSerde(bytes))
        .leftJoin(
            borrowings,
            (repayment, borrowing) -> borrowing == null ? repayment : null,
            Joined.with(keys, bytes, bytes, JOIN, grace))
        .filter((creditId, unmatched) -> unmatched != null, Named.as(UNMATCHED))
        .to(output, Produced.with(keys, bytes).withName(UNMATCHED_SINK));
    return builder.build();
  }

  private static String creditIdOf(
      final Deserializer<RepaymentEvent> repayments, final String topic, final byte[] value) {
    final String creditId = repayments.deserialize(topic, value).getCreditId();
    return creditId == null ? NO_CREDIT : creditId;
  }
}

package io.repayguard.detector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The Kafka Streams properties every detector run starts from, and what a user may change. */
class StreamsPropertiesTest {
  private static Properties of(final Map<String, Object> user) {
    return DetectorRunner.streamsProperties(
        new DetectorRunner.Settings("app", Path.of("/tmp/state"), user));
  }

  @Test
  void shouldRunExactlyOnceWithoutTheUncommittedBytesCheckOfStoresItDoesNotUse() {
    final Properties props = of(Map.of());

    assertThat(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    assertThat(props.get(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG)).isEqualTo(-1L);
  }

  @Test
  void shouldLeaveTheUncommittedBytesLimitToStreamsWhenTransactionalStoresAreOn() {
    final Properties props = of(Map.of(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, "true"));

    assertThat(props).doesNotContainKey(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG);
  }

  @Test
  void shouldKeepAUsersOwnLimit() {
    final Properties props =
        of(Map.of(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG, "1048576"));

    assertThat(props.get(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG))
        .isEqualTo("1048576");
  }

  @Test
  void shouldRefuseAnyGuaranteeButExactlyOnce() {
    assertThatThrownBy(() -> of(Map.of(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

package io.repayguard.scenario;

import static io.repayguard.events.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Lines of the fourth input topic, {@code repayguard-ops}, read like the other three. */
class ScenarioFileTest {
  private static final String OPS_VALUE =
      "{\"commandId\":\"op-1\",\"action\":\"RESOLVE\","
          + "\"planId\":\"p1\",\"rule\":\"BORROWING_REVERSED\",\"analyst\":\"li.wei\","
          + "\"reason\":\"checked\",\"issuedAt\":"
          + (T0 + 60_000)
          + "}";

  @Test
  void shouldTimestampAnOpsCommandWithItsIssuedAt() {
    // Given
    final String line = "{\"topic\":\"repayguard-ops\",\"key\":\"p1\",\"value\":" + OPS_VALUE + "}";

    // When
    final ScenarioFile.Publish read =
        (ScenarioFile.Publish) ScenarioFile.parse(7, line).orElseThrow();

    // Then
    assertThat(read.topic()).isEqualTo("repayguard-ops");
    assertThat(read.key()).isEqualTo("p1");
    assertThat(read.timestamp()).isEqualTo(T0 + 60_000);
    assertThat(AvroToJson.line(read.topic(), read.key(), read.value())).isEqualTo(line);
  }

  @Test
  void shouldNameTheValidActionsOfAnOpsCommand() {
    // Given
    final String line =
        "{\"topic\":\"repayguard-ops\",\"key\":\"p1\",\"value\":"
            + OPS_VALUE.replace("RESOLVE", "CLOSE")
            + "}";

    // When / Then
    assertThatThrownBy(() -> ScenarioFile.parse(3, line))
        .isInstanceOf(ScenarioException.class)
        .hasMessage("line 3: OpsCommand.action must be one of [ACKNOWLEDGE, RESOLVE]");
  }
}

package io.repayguard.sim;

import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.GroundTruth;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads ground truth and alerts from Kafka, read_committed, up to their settled ends (see {@link
 * TopicReader}), and scores them with {@link Scoring}.
 *
 * <p>With {@code since}, only ground truth injected and alerts triggered at or after it count.
 */
public final class ScoreReader {
  private final ClientSettings settings;

  public ScoreReader(final ClientSettings settings) {
    this.settings = settings;
  }

  /** Reads both topics and scores them. */
  public Scoring.Report score(
      final String groundTruthTopic, final String alertsTopic, final Optional<Instant> since) {
    final long from = since.map(Instant::toEpochMilli).orElse(Long.MIN_VALUE);
    final List<Scoring.Expected> truth = new ArrayList<>();
    final List<Scoring.Raised> raised = new ArrayList<>();
    try (TopicReader reader = new TopicReader(settings)) {
      for (final Object value : reader.values(groundTruthTopic)) {
        final GroundTruth t = (GroundTruth) value;
        if (t.getInjectedAt().toEpochMilli() >= from) {
          truth.add(
              new Scoring.Expected(t.getPlanId(), Set.copyOf(t.getExpectedRules()), t.getCause()));
        }
      }
      for (final Object value : reader.values(alertsTopic)) {
        final Alert a = (Alert) value;
        if (a.getStatus() == AlertStatus.OPEN && a.getEventTime().toEpochMilli() >= from) {
          raised.add(new Scoring.Raised(a.getPlanId(), a.getRule()));
        }
      }
    }
    return Scoring.score(truth, raised);
  }
}

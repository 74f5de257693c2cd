package io.repayguard.decision;

import java.util.Set;

/**
 * The sources a stage must hear from before its detector time can move.
 *
 * @param direct input partitions that report to the stage themselves
 * @param relays relay stage partitions (order-link) that forward facts derived from inputs
 * @param relayUpstream the input partitions every relay hears from
 */
public record Sources(Set<String> direct, Set<String> relays, Set<String> relayUpstream) {
  public Sources {
    direct = Set.copyOf(direct);
    relays = Set.copyOf(relays);
    relayUpstream = Set.copyOf(relayUpstream);
  }

  /** Only direct sources, no relays. */
  public static Sources direct(final Set<String> direct) {
    return new Sources(direct, Set.of(), Set.of());
  }
}

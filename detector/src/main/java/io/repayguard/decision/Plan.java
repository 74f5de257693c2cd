package io.repayguard.decision;

import io.repayguard.events.Alert;
import io.repayguard.events.RepaymentEvent;
import io.repayguard.events.RepaymentEventType;
import io.repayguard.events.Rule;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the decision stage knows of one repayment plan: the engine's own model of it. The
 * store keeps it as a {@code PlanState} ({@link StoredPlans} maps one to the other); nothing here
 * depends on that form.
 *
 * <p>Every collection keeps the order things happened in, since the outputs depend on it: a HOLD
 * names its alerts in the order they joined the hold, and a plan's alerts open in decision order.
 */
public final class Plan {
  private final String planId;
  private final String creditId;
  private String accountId;
  private final Set<String> seenEventIds;
  private final List<RepaymentEvent> decided;
  private Long createdAt;
  private boolean closedArrived;
  private Long closedAt;
  private final List<Alert> openAlerts;
  private final Map<Rule, Integer> occurrences;
  private boolean held;
  private int holds;
  private int releases;
  private final Map<String, Rule> holdAlerts;
  private Long redecisionDue;
  private long lastEventTime;
  private final Set<String> opsCommandIds;

  /** A plan as stored: every field given, each collection taken over as it is. */
  Plan(
      final String planId,
      final String creditId,
      final String accountId,
      final Set<String> seenEventIds,
      final List<RepaymentEvent> decided,
      final Long createdAt,
      final boolean closedArrived,
      final Long closedAt,
      final List<Alert> openAlerts,
      final Map<Rule, Integer> occurrences,
      final boolean held,
      final int holds,
      final int releases,
      final Map<String, Rule> holdAlerts,
      final Long redecisionDue,
      final long lastEventTime,
      final Set<String> opsCommandIds) {
    this.planId = planId;
    this.creditId = creditId;
    this.accountId = accountId;
    this.seenEventIds = seenEventIds;
    this.decided = decided;
    this.createdAt = createdAt;
    this.closedArrived = closedArrived;
    this.closedAt = closedAt;
    this.openAlerts = openAlerts;
    this.occurrences = occurrences;
    this.held = held;
    this.holds = holds;
    this.releases = releases;
    this.holdAlerts = holdAlerts;
    this.redecisionDue = redecisionDue;
    this.lastEventTime = lastEventTime;
    this.opsCommandIds = opsCommandIds;
  }

  /** A plan seen for the first time, from its first event (not yet recorded as seen). */
  static Plan startedBy(final RepaymentEvent first) {
    return new Plan(
        first.getPlanId(),
        first.getCreditId(),
        first.getAccountId(),
        new LinkedHashSet<>(),
        new ArrayList<>(),
        null,
        false,
        null,
        new ArrayList<>(),
        new LinkedHashMap<>(),
        false,
        0,
        0,
        new LinkedHashMap<>(),
        null,
        first.getEventTime().toEpochMilli(),
        new LinkedHashSet<>());
  }

  public String planId() {
    return planId;
  }

  /** The borrowing the plan's first event named; null if it named none. */
  public String creditId() {
    return creditId;
  }

  /** The account of the plan's latest arrived event. */
  public String accountId() {
    return accountId;
  }

  /**
   * Records the arrival of {@code event}: its id (for de-duplication), its account and its time.
   *
   * @return false when an event with its eventId arrived before (a redelivery), which changes
   *     nothing
   */
  boolean arrived(final RepaymentEvent event) {
    if (!seenEventIds.add(event.getEventId())) {
      return false;
    }
    accountId = event.getAccountId();
    lastEventTime = Math.max(lastEventTime, event.getEventTime().toEpochMilli());
    return true;
  }

  /** Records the plan's PLAN_CLOSED, which arrived with eventTime {@code at}. */
  void closed(final long at) {
    closedArrived = true;
    closedAt = at;
  }

  /** Records {@code event} as decided; a first PLAN_CREATED dates the plan. */
  void decided(final RepaymentEvent event) {
    decided.add(event);
    if (event.getType() == RepaymentEventType.PLAN_CREATED && createdAt == null) {
      createdAt = event.getEventTime().toEpochMilli();
    }
  }

  /** The events decided so far, in decision order (PLAN_CLOSED excluded). */
  public List<RepaymentEvent> decidedEvents() {
    return Collections.unmodifiableList(decided);
  }

  /**
   * The sum of the decided REPAYMENT_COLLECTED amounts, exactly: each amount is a valid long, their
   * sum need not be (rule 3 asks for arithmetic that cannot overflow).
   */
  public BigInteger collectedMinor() {
    BigInteger sum = BigInteger.ZERO;
    for (final RepaymentEvent event : decided) {
      if (event.getType() == RepaymentEventType.REPAYMENT_COLLECTED) {
        sum = sum.add(BigInteger.valueOf(event.getAmountMinor()));
      }
    }
    return sum;
  }

  /** eventTime of the plan's decided PLAN_CREATED; null before one is decided. */
  public Long createdAt() {
    return createdAt;
  }

  public boolean closedArrived() {
    return closedArrived;
  }

  /** eventTime of the plan's PLAN_CLOSED; null before it arrived. */
  public Long closedAt() {
    return closedAt;
  }

  /** Largest eventTime of the plan's events. */
  public long lastEventTime() {
    return lastEventTime;
  }

  /** Detector time at which a late borrowing re-decides the plan; null when none is scheduled. */
  public Long redecisionDue() {
    return redecisionDue;
  }

  void redecisionDue(final Long due) {
    redecisionDue = due;
  }

  /** The open alerts, at most one per rule, in the order they opened. */
  public List<Alert> openAlerts() {
    return Collections.unmodifiableList(openAlerts);
  }

  /** The open alert of {@code rule}, if any. */
  Optional<Alert> openAlert(final Rule rule) {
    for (final Alert alert : openAlerts) {
      if (alert.getRule() == rule) {
        return Optional.of(alert);
      }
    }
    return Optional.empty();
  }

  /** Counts one more occurrence of {@code rule} and returns it, from 1: the new alert's number. */
  int nextOccurrence(final Rule rule) {
    return occurrences.merge(rule, 1, Integer::sum);
  }

  /** How many alerts of each rule the plan has opened so far, in order of first opening. */
  public Map<Rule, Integer> occurrences() {
    return Collections.unmodifiableMap(occurrences);
  }

  void open(final Alert alert) {
    openAlerts.add(alert);
  }

  /** Puts {@code alert} in the place of the open alert with its id. */
  void replaceOpen(final Alert alert) {
    openAlerts.replaceAll(a -> a.getAlertId().equals(alert.getAlertId()) ? alert : a);
  }

  /** Closes the open alert with {@code alertId}. */
  void close(final String alertId) {
    openAlerts.removeIf(a -> a.getAlertId().equals(alertId));
  }

  /** Whether a HOLD is in force. */
  public boolean held() {
    return held;
  }

  /** HOLD commands issued so far. */
  public int holds() {
    return holds;
  }

  /** RELEASE commands issued so far. */
  public int releases() {
    return releases;
  }

  /** The alerts that caused the hold in force (or the last one), with their rules, in order. */
  public Map<String, Rule> holdAlerts() {
    return Collections.unmodifiableMap(holdAlerts);
  }

  /** Starts a hold: one more HOLD, with no alerts yet; returns its number. */
  int startHold() {
    held = true;
    holds++;
    holdAlerts.clear();
    return holds;
  }

  /** Adds {@code alert} to the hold in force, unless it is part of it already. */
  void addToHold(final Alert alert) {
    holdAlerts.putIfAbsent(alert.getAlertId(), alert.getRule());
  }

  /** Ends the hold in force: one more RELEASE; returns its number. */
  int release() {
    held = false;
    releases++;
    return releases;
  }

  /**
   * Remembers an ops command's id.
   *
   * @return false when the plan read a command with that id before (a redelivery)
   */
  boolean readOpsCommand(final String commandId) {
    return opsCommandIds.add(commandId);
  }

  /** eventIds the plan has seen, in arrival order. */
  public Set<String> seenEventIds() {
    return Collections.unmodifiableSet(seenEventIds);
  }

  /** commandIds of the ops commands the plan has read, in arrival order. */
  public Set<String> opsCommandIds() {
    return Collections.unmodifiableSet(opsCommandIds);
  }
}

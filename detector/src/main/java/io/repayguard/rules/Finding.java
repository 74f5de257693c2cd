package io.repayguard.rules;

import io.repayguard.events.Rule;
import io.repayguard.events.Severity;
import java.util.Map;

/**
 * One rule that fired for one repayment event: what, how bad, why in a sentence, and the facts.
 *
 * @param planId the plan the finding is about (for DUPLICATE_PLAN possibly not the decided one)
 * @param evidence the facts the decision used, as strings, in a stable order
 */
public record Finding(
    String planId,
    Rule rule,
    Severity severity,
    String explanation,
    Map<String, String> evidence) {}

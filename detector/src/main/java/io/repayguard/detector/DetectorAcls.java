package io.repayguard.detector;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least a detector needs from a cluster that runs an authorizer (README, Deploying): read its
 * four inputs, write its three outputs, everything on the topics, group and transactional ids that
 * start with its application id (its facts log, order links, changelogs and repartition topics;
 * Kafka Streams' group; its exactly-once producers). Nothing else: it cannot write an input or read
 * another application's state.
 */
public final class DetectorAcls {
  private DetectorAcls() {}

  /** The ACLs of {@code principal} (e.g. {@code User:repayguard-detector}) for a detector. */
  public static List<AclBinding> of(
      final String principal, final String applicationId, final TopicNames topics) {
    final List<AclBinding> acls = new ArrayList<>();
    for (final String input : topics.inputs()) {
      acls.add(allow(principal, ResourceType.TOPIC, input, PatternType.LITERAL, AclOperation.READ));
      acls.add(
          allow(principal, ResourceType.TOPIC, input, PatternType.LITERAL, AclOperation.DESCRIBE));
    }
    for (final String output : List.of(topics.alerts(), topics.holdCommands(), topics.dlq())) {
      acls.add(
          allow(principal, ResourceType.TOPIC, output, PatternType.LITERAL, AclOperation.WRITE));
      acls.add(
          allow(principal, ResourceType.TOPIC, output, PatternType.LITERAL, AclOperation.DESCRIBE));
    }
    acls.add(
        allow(
            principal, ResourceType.TOPIC, applicationId, PatternType.PREFIXED, AclOperation.ALL));
    acls.add(
        allow(
            principal, ResourceType.GROUP, applicationId, PatternType.PREFIXED, AclOperation.READ));
    acls.add(
        allow(
            principal,
            ResourceType.TRANSACTIONAL_ID,
            applicationId,
            PatternType.PREFIXED,
            AclOperation.WRITE));
    acls.add(
        allow(
            principal,
            ResourceType.TRANSACTIONAL_ID,
            applicationId,
            PatternType.PREFIXED,
            AclOperation.DESCRIBE));
    return acls;
  }

  private static AclBinding allow(
      final String principal,
      final ResourceType type,
      final String name,
      final PatternType pattern,
      final AclOperation operation) {
    return new AclBinding(
        new ResourcePattern(type, name, pattern),
        new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
  }
}

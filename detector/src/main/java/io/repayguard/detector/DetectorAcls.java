package io.repayguard.detector;

import static org.apache.kafka.common.acl.AclOperation.ALL;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;

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
      allow(acls, principal, ResourceType.TOPIC, input, PatternType.LITERAL, READ, DESCRIBE);
    }
    for (final String output : List.of(topics.alerts(), topics.holdCommands(), topics.dlq())) {
      allow(acls, principal, ResourceType.TOPIC, output, PatternType.LITERAL, WRITE, DESCRIBE);
    }
    allow(acls, principal, ResourceType.TOPIC, applicationId, PatternType.PREFIXED, ALL);
    allow(acls, principal, ResourceType.GROUP, applicationId, PatternType.PREFIXED, READ);
    allow(
        acls,
        principal,
        ResourceType.TRANSACTIONAL_ID,
        applicationId,
        PatternType.PREFIXED,
        WRITE,
        DESCRIBE);
    return acls;
  }

  /** Adds to {@code acls} an ALLOW of each of {@code operations} on one resource pattern. */
  private static void allow(
      final List<AclBinding> acls,
      final String principal,
      final ResourceType type,
      final String name,
      final PatternType pattern,
      final AclOperation... operations) {
    for (final AclOperation operation : operations) {
      acls.add(
          new AclBinding(
              new ResourcePattern(type, name, pattern),
              new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)));
    }
  }
}

package io.repayguard.stack;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

/**
 * Holds the schema registry's state — subjects, their versions, global schema ids and compatibility
 * levels — and the rules that change it, without any HTTP or Kafka.
 *
 * <p>Every distinct schema gets one global id, whichever subjects it is registered under; two
 * schemas are the same when their parsed canonical forms ({@link Schema#toString()}: whitespace and
 * key order do not matter, docs and defaults do) are equal. Within a subject, versions count from
 * 1. A new version must satisfy the subject's compatibility level (its own, else the global one,
 * BACKWARD by default). Changes happen in two steps so the caller can make them durable in between:
 * {@link #planRegistration} decides, {@link #apply(SchemaVersion)} records. Thread-safe.
 */
final class SchemaStore {

  /** The version number that stands for a subject's latest version. */
  static final int LATEST = -1;

  /** One version of a subject: the schema with global id {@code id}, in canonical form. */
  record SchemaVersion(String subject, int version, int id, String schema) {}

  /** A compatibility level for one subject, or the global one when {@code subject} is null. */
  record ConfigChange(String subject, CompatibilityLevel level) {}

  /** A registration's outcome: the version the schema has, and whether it is new to record. */
  record Registration(SchemaVersion version, boolean isNew) {}

  private record StoredSchema(String canonical, Schema parsed) {}

  private final Map<Integer, StoredSchema> schemasById = new HashMap<>();
  private final Map<String, Integer> idsByCanonical = new HashMap<>();
  private final NavigableMap<String, NavigableMap<Integer, SchemaVersion>> subjects =
      new TreeMap<>();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
  private int highestId;

  /** Parses an Avro schema, answering 42201 when it is not one. */
  static Schema parse(final String schemaText) {
    if (schemaText == null || schemaText.isBlank()) {
      throw RegistryException.invalidSchema("empty schema");
    }
    try {
      return new Schema.Parser().parse(schemaText);
    } catch (final AvroRuntimeException e) {
      throw RegistryException.invalidSchema(e.getMessage());
    }
  }

  /**
   * Decides what registering {@code schemaText} under {@code subject} means, changing nothing.
   *
   * <p>A schema the subject already has keeps its version and id; otherwise it becomes the
   * subject's next version, under the id the schema already has elsewhere or the next free one.
   *
   * @throws RegistryException 42201 for an invalid schema, 409 when it breaks the level
   */
  synchronized Registration planRegistration(final String subject, final String schemaText) {
    final Schema candidate = parse(schemaText);
    final String canonical = candidate.toString();
    final NavigableMap<Integer, SchemaVersion> versions =
        subjects.getOrDefault(subject, new TreeMap<>());
    final Integer knownId = idsByCanonical.get(canonical);
    final Optional<SchemaVersion> existing =
        versions.values().stream()
            .filter(version -> knownId != null && version.id() == knownId)
            .findFirst();
    if (existing.isPresent()) {
      return new Registration(existing.get(), false);
    }
    final List<String> violations =
        effectiveLevel(subject).violations(candidate, schemasOf(versions));
    if (!violations.isEmpty()) {
      throw RegistryException.incompatible(subject, violations);
    }
    final int id = knownId != null ? knownId : highestId + 1;
    final int nextVersion = versions.isEmpty() ? 1 : versions.lastKey() + 1;
    return new Registration(new SchemaVersion(subject, nextVersion, id, canonical), true);
  }

  /** Records a subject version, planned here or read back from the log. */
  synchronized void apply(final SchemaVersion version) {
    schemasById.computeIfAbsent(
        version.id(), id -> new StoredSchema(version.schema(), parse(version.schema())));
    idsByCanonical.putIfAbsent(version.schema(), version.id());
    highestId = Math.max(highestId, version.id());
    subjects
        .computeIfAbsent(version.subject(), subject -> new TreeMap<>())
        .put(version.version(), version);
  }

  /** Records a compatibility level change, made here or read back from the log. */
  synchronized void apply(final ConfigChange change) {
    if (change.subject() == null) {
      globalLevel = change.level();
    } else {
      subjectLevels.put(change.subject(), change.level());
    }
  }

  /**
   * Returns the version of {@code subject} that holds {@code schemaText}.
   *
   * @throws RegistryException 40401 for an unknown subject, 40403 when it lacks the schema
   */
  synchronized SchemaVersion lookUp(final String subject, final String schemaText) {
    final NavigableMap<Integer, SchemaVersion> versions = versionsOf(subject);
    final Integer id = idsByCanonical.get(parse(schemaText).toString());
    return versions.values().stream()
        .filter(version -> id != null && version.id() == id)
        .findFirst()
        .orElseThrow(RegistryException::schemaNotFoundUnderSubject);
  }

  /** Returns the canonical schema with a global id; 40403 when unknown. */
  synchronized String schemaById(final int id) {
    final StoredSchema stored = schemasById.get(id);
    if (stored == null) {
      throw RegistryException.schemaNotFound(Integer.toString(id));
    }
    return stored.canonical();
  }

  /** Returns every subject version that uses a global id, by subject; 40403 when unknown. */
  synchronized List<SchemaVersion> versionsUsing(final int id) {
    schemaById(id);
    final List<SchemaVersion> using = new ArrayList<>();
    subjects
        .values()
        .forEach(
            versions ->
                versions.values().stream()
                    .filter(version -> version.id() == id)
                    .forEach(using::add));
    return using;
  }

  /** Returns the registered subjects in alphabetical order. */
  synchronized List<String> subjects() {
    return List.copyOf(subjects.keySet());
  }

  /** Returns the version numbers of a subject, ascending; 40401 when unknown. */
  synchronized List<Integer> versions(final String subject) {
    return List.copyOf(versionsOf(subject).keySet());
  }

  /**
   * Returns one version of a subject, or its latest for {@link #LATEST}.
   *
   * @throws RegistryException 40401 for an unknown subject, 40402 for an unknown version
   */
  synchronized SchemaVersion version(final String subject, final int version) {
    final NavigableMap<Integer, SchemaVersion> versions = versionsOf(subject);
    final SchemaVersion found =
        version == LATEST ? versions.lastEntry().getValue() : versions.get(version);
    if (found == null) {
      throw RegistryException.versionNotFound(version);
    }
    return found;
  }

  /** Returns the global compatibility level. */
  synchronized CompatibilityLevel globalLevel() {
    return globalLevel;
  }

  /** Returns the level set on the subject itself, empty when it follows the global one. */
  synchronized Optional<CompatibilityLevel> subjectLevel(final String subject) {
    return Optional.ofNullable(subjectLevels.get(subject));
  }

  /**
   * Returns why {@code schemaText} would break the subject's level against one version (or {@link
   * #LATEST}); empty when compatible.
   *
   * @throws RegistryException 40401, 40402 or 42201
   */
  synchronized List<String> violationsAgainstVersion(
      final String subject, final int version, final String schemaText) {
    final Schema candidate = parse(schemaText);
    final SchemaVersion earlier = version(subject, version);
    return effectiveLevel(subject)
        .violations(candidate, List.of(schemasById.get(earlier.id()).parsed()));
  }

  /**
   * Returns why {@code schemaText} would break the subject's level against the versions that level
   * checks; empty when compatible or when the subject has no versions.
   */
  synchronized List<String> violationsAgainstSubject(
      final String subject, final String schemaText) {
    final Schema candidate = parse(schemaText);
    return effectiveLevel(subject)
        .violations(candidate, schemasOf(subjects.getOrDefault(subject, new TreeMap<>())));
  }

  private CompatibilityLevel effectiveLevel(final String subject) {
    return subjectLevels.getOrDefault(subject, globalLevel);
  }

  private NavigableMap<Integer, SchemaVersion> versionsOf(final String subject) {
    final NavigableMap<Integer, SchemaVersion> versions = subjects.get(subject);
    if (versions == null || versions.isEmpty()) {
      throw RegistryException.subjectNotFound(subject);
    }
    return versions;
  }

  private List<Schema> schemasOf(final NavigableMap<Integer, SchemaVersion> versions) {
    return versions.values().stream()
        .map(version -> schemasById.get(version.id()).parsed())
        .toList();
  }
}

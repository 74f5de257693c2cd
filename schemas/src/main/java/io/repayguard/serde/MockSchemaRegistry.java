package io.repayguard.serde;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * An in-process registry behind {@code mock://SCOPE} URLs, as Confluent's serdes offer for tests.
 *
 * <p>One registry per scope, shared by every serde configured with the same URL in this JVM; ids
 * are global per scope and one per distinct schema. It checks no compatibility: tests that need the
 * real rules run against the local HTTP registry.
 */
public final class MockSchemaRegistry implements SchemaRegistryClient {
  private static final Map<String, MockSchemaRegistry> SCOPES = new ConcurrentHashMap<>();

  private final Map<Schema, Integer> idBySchema = new HashMap<>();
  private final List<Schema> schemaById = new ArrayList<>();
  private final Map<String, List<Schema>> versionsBySubject = new HashMap<>();

  private MockSchemaRegistry() {}

  /** Returns the registry of {@code scope}, creating it on first use. */
  public static MockSchemaRegistry forScope(final String scope) {
    return SCOPES.computeIfAbsent(scope, s -> new MockSchemaRegistry());
  }

  /** Forgets the registry of {@code scope}, so a test can start from a clean one. */
  public static void dropScope(final String scope) {
    SCOPES.remove(scope);
  }

  @Override
  public synchronized int register(final String subject, final Schema schema) {
    final int id =
        idBySchema.computeIfAbsent(
            schema,
            s -> {
              schemaById.add(s);
              return schemaById.size();
            });
    final List<Schema> versions =
        versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
    if (!versions.contains(schema)) {
      versions.add(schema);
    }
    return id;
  }

  @Override
  public synchronized int idOf(final String subject, final Schema schema) {
    final List<Schema> versions = versionsBySubject.get(subject);
    if (versions == null) {
      throw new SchemaRegistryException(40401, "Subject '" + subject + "' not found.");
    }
    if (!versions.contains(schema)) {
      throw new SchemaRegistryException(40403, "Schema not found under subject '" + subject + "'.");
    }
    return idBySchema.get(schema);
  }

  @Override
  public synchronized Schema schemaById(final int id) {
    if (id < 1 || id > schemaById.size()) {
      throw new UnknownSchemaIdException(id);
    }
    return schemaById.get(id - 1);
  }

  @Override
  public synchronized RegisteredSchema latest(final String subject) {
    final List<Schema> versions = versionsBySubject.get(subject);
    if (versions == null || versions.isEmpty()) {
      throw new SchemaRegistryException(40401, "Subject '" + subject + "' not found.");
    }
    final Schema schema = versions.get(versions.size() - 1);
    return new RegisteredSchema(idBySchema.get(schema), versions.size(), schema);
  }
}

package io.repayguard.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.repayguard.stack.SchemaStore.ConfigChange;
import io.repayguard.stack.SchemaStore.Registration;
import io.repayguard.stack.SchemaStore.SchemaVersion;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Checks the registry's rules (ids, versions, compatibility levels) without HTTP or Kafka. */
class SchemaStoreTest {

  private static final String ID_ONLY = record("{\"name\":\"id\",\"type\":\"string\"}");
  private static final String WITH_OPTIONAL_NOTE =
      record(
          "{\"name\":\"id\",\"type\":\"string\"}",
          "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}");
  private static final String WITH_REQUIRED_AMOUNT =
      record("{\"name\":\"id\",\"type\":\"string\"}", "{\"name\":\"amount\",\"type\":\"long\"}");
  private static final String WITH_DEFAULTED_AMOUNT =
      record(
          "{\"name\":\"id\",\"type\":\"string\"}",
          "{\"name\":\"amount\",\"type\":\"long\",\"default\":0}");
  private static final String ID_AS_LONG = record("{\"name\":\"id\",\"type\":\"long\"}");

  private final SchemaStore store = new SchemaStore();

  static Stream<Arguments> levelCases() {
    // level, earlier schema, new schema, accepted?
    return Stream.of(
        Arguments.of(CompatibilityLevel.BACKWARD, ID_ONLY, WITH_OPTIONAL_NOTE, true),
        Arguments.of(CompatibilityLevel.BACKWARD, ID_ONLY, WITH_REQUIRED_AMOUNT, false),
        Arguments.of(CompatibilityLevel.BACKWARD, WITH_REQUIRED_AMOUNT, ID_ONLY, true),
        Arguments.of(CompatibilityLevel.FORWARD, ID_ONLY, WITH_REQUIRED_AMOUNT, true),
        Arguments.of(CompatibilityLevel.FORWARD, WITH_REQUIRED_AMOUNT, ID_ONLY, false),
        Arguments.of(CompatibilityLevel.FULL, ID_ONLY, WITH_OPTIONAL_NOTE, true),
        Arguments.of(CompatibilityLevel.FULL, ID_ONLY, WITH_REQUIRED_AMOUNT, false),
        Arguments.of(CompatibilityLevel.FULL, WITH_REQUIRED_AMOUNT, ID_ONLY, false),
        Arguments.of(CompatibilityLevel.NONE, ID_ONLY, ID_AS_LONG, true),
        Arguments.of(CompatibilityLevel.BACKWARD, ID_ONLY, ID_AS_LONG, false),
        Arguments.of(CompatibilityLevel.FORWARD, ID_ONLY, ID_AS_LONG, false));
  }

  @ParameterizedTest(name = "{0}: {1} then {2} accepted={3}")
  @MethodSource("levelCases")
  void shouldJudgeASecondVersionByTheSubjectsLevel(
      final CompatibilityLevel level,
      final String earlier,
      final String candidate,
      final boolean accepted) {
    // Given
    store.apply(new ConfigChange("s", level));
    register("s", earlier);

    // When
    final boolean registered = tryRegister("s", candidate);

    // Then
    assertThat(registered).isEqualTo(accepted);
  }

  static Stream<Arguments> transitiveCases() {
    // v1 lacks amount, v2 defaults it, v3 requires it: v3 reads v2 but not v1.
    return Stream.of(
        Arguments.of(CompatibilityLevel.BACKWARD, true),
        Arguments.of(CompatibilityLevel.BACKWARD_TRANSITIVE, false),
        Arguments.of(CompatibilityLevel.FULL_TRANSITIVE, false));
  }

  @ParameterizedTest(name = "{0} accepted={1}")
  @MethodSource("transitiveCases")
  void shouldCheckEveryEarlierVersionOnlyForTransitiveLevels(
      final CompatibilityLevel level, final boolean accepted) {
    // Given
    store.apply(new ConfigChange(null, CompatibilityLevel.NONE));
    register("s", ID_ONLY);
    register("s", WITH_DEFAULTED_AMOUNT);
    store.apply(new ConfigChange("s", level));

    // When
    final boolean registered = tryRegister("s", WITH_REQUIRED_AMOUNT);

    // Then
    assertThat(registered).isEqualTo(accepted);
  }

  @Test
  void shouldFollowTheGlobalLevelUntilTheSubjectHasItsOwn() {
    // Given
    store.apply(new ConfigChange(null, CompatibilityLevel.FORWARD));
    register("s", ID_ONLY);

    // When
    final boolean forwardAccepts = tryRegister("s", WITH_REQUIRED_AMOUNT);
    store.apply(new ConfigChange("s", CompatibilityLevel.BACKWARD));

    // Then
    assertThat(forwardAccepts).isTrue();
    assertThat(store.subjectLevel("s")).contains(CompatibilityLevel.BACKWARD);
    assertThat(store.subjectLevel("other")).isEmpty();
    assertThat(store.globalLevel()).isEqualTo(CompatibilityLevel.FORWARD);
  }

  @Test
  void shouldGiveOneGlobalIdPerDistinctSchemaAcrossSubjects() {
    // Given
    final int first = register("a", ID_ONLY);

    // When
    final int sameUnderOtherSubject = register("b", ID_ONLY);
    final int reformatted = register("c", ID_ONLY.replace(",", " ,\n  "));
    final int other = register("d", WITH_OPTIONAL_NOTE);

    // Then
    assertThat(new int[] {first, sameUnderOtherSubject, reformatted, other})
        .containsExactly(1, 1, 1, 2);
    assertThat(store.versionsUsing(1))
        .extracting(SchemaVersion::subject)
        .containsExactly("a", "b", "c");
  }

  @Test
  void shouldNotAddAVersionWhenTheSubjectAlreadyHasTheSchema() {
    // Given
    register("s", ID_ONLY);
    register("s", WITH_OPTIONAL_NOTE);

    // When
    final Registration again = store.planRegistration("s", ID_ONLY);

    // Then
    assertThat(again)
        .isEqualTo(
            new Registration(
                new SchemaVersion("s", 1, 1, new Schema.Parser().parse(ID_ONLY).toString()),
                false));
    assertThat(store.versions("s")).containsExactly(1, 2);
  }

  @Test
  void shouldChangeNothingUntilAPlannedRegistrationIsApplied() {
    // When
    final Registration planned = store.planRegistration("s", ID_ONLY);

    // Then
    assertThat(planned.isNew()).isTrue();
    assertThat(store.subjects()).isEmpty();
    assertThatThrownBy(() -> store.schemaById(1))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(40403));
  }

  @Test
  void shouldRefuseInvalidSchemasWith42201() {
    assertThatThrownBy(() -> store.planRegistration("s", "{\"type\":\"record\",\"name\":\"X\"}"))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(42201));
  }

  private int register(final String subject, final String schema) {
    final Registration registration = store.planRegistration(subject, schema);
    store.apply(registration.version());
    return registration.version().id();
  }

  private boolean tryRegister(final String subject, final String schema) {
    try {
      register(subject, schema);
      return true;
    } catch (final RegistryException e) {
      assertThat(e.errorCode()).isEqualTo(409);
      return false;
    }
  }

  private static String record(final String... fields) {
    return "{\"type\":\"record\",\"name\":\"Payment\",\"namespace\":\"io.repayguard.test\",\"fields\":["
        + String.join(",", fields)
        + "]}";
  }
}

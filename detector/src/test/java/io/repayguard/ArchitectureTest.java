package io.repayguard;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The shape STYLE.md asks for: rules and decisions are plain Java, and production code never
 * reaches for test utilities. Only main classes are imported.
 */
@AnalyzeClasses(
    packages = "io.repayguard",
    importOptions = {
      ImportOption.DoNotIncludeTests.class,
      ArchitectureTest.DoNotIncludeTestJars.class
    })
class ArchitectureTest {

  @ArchTest
  static final ArchRule rulesAndDecisionsImportNoKafka =
      noClasses()
          .that()
          .resideInAnyPackage("io.repayguard.rules..", "io.repayguard.decision..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.apache.kafka..")
          .because(
              "the rules, alert lifecycle, hold policy and ids must be testable without Kafka");

  @ArchTest
  static final ArchRule mainCodeUsesNoTestUtilities =
      noClasses()
          .that()
          .resideInAPackage("io.repayguard..")
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.apache.kafka.streams.TopologyTestDriver")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.apache.kafka.streams.TestInputTopic")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.apache.kafka.streams.TestOutputTopic")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.apache.kafka.streams.processor.api.MockProcessorContext")
          .orShould()
          .dependOnClassesThat()
          .resideInAnyPackage("org.apache.kafka.streams.test..", "org.junit..", "org.assertj..")
          .because("production code must not import test utilities (STYLE.md, Avoid)");

  /** Leaves out test jars such as the schemas module's test builders. */
  static final class DoNotIncludeTestJars implements ImportOption {
    @Override
    public boolean includes(final Location location) {
      return !location.contains("-tests.jar") && !location.contains("/test-classes/");
    }
  }
}

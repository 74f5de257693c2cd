package io.repayguard.serde;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Lets Avro instantiate repayguard's generated classes by name.
 *
 * <p>Avro 1.12 refuses to load any class it resolves from a schema name unless trusted (system
 * properties {@code org.apache.avro.SERIALIZABLE_PACKAGES} or the global validator). Our own
 * package {@code io.repayguard} is added to whatever is trusted already, once per JVM.
 */
public final class TrustedAvroClasses {
  private static final String OWN_PACKAGE = "io.repayguard.";
  private static boolean installed;

  private TrustedAvroClasses() {}

  /** Trusts {@code io.repayguard.*} classes in addition to what Avro trusts already. */
  public static synchronized void install() {
    if (installed) {
      return;
    }
    final ClassSecurityValidator.ClassSecurityPredicate before = ClassSecurityValidator.getGlobal();
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(before, type -> type.getName().startsWith(OWN_PACKAGE)));
    installed = true;
  }
}

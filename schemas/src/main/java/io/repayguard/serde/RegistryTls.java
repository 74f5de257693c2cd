package io.repayguard.serde;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * TLS towards the schema registry, from Confluent's {@code schema.registry.ssl.*} keys: a trust
 * store for the registry's certificate ({@code truststore.location}, {@code .password}, {@code
 * .type}: JKS, PKCS12, or PEM for a file of certificates such as the local stack's {@code ca.pem})
 * and, for a registry that asks for client certificates, a key store ({@code keystore.location},
 * {@code .password}, {@code .type}: JKS or PKCS12, {@code key.password}). Without a trust store the
 * JDK's default trust applies. The registry's host name is always verified against its certificate.
 *
 * @param truststore where the certificates to trust are, if not the JDK's
 * @param keystore where this client's key and certificate are, if the registry asks for one
 * @param keyPassword the key's password, if not the key store's
 */
public record RegistryTls(
    Optional<Store> truststore, Optional<Store> keystore, String keyPassword) {
  static final String PREFIX = "schema.registry.ssl.";

  @Override
  public String toString() {
    return "RegistryTls[truststore=" + truststore + ", keystore=" + keystore + "]";
  }

  /**
   * A key or trust store file.
   *
   * @param key the config key of its location, for messages
   * @param location the file
   * @param password its password, if any
   * @param type JKS, PKCS12 or PEM
   */
  public record Store(String key, Path location, String password, String type) {
    @Override
    public String toString() {
      return "Store[" + key + "=" + location + ", type=" + type + "]";
    }
  }

  /** The settings in {@code configs}; empty when neither store is given. */
  static Optional<RegistryTls> from(final Map<String, ?> configs) {
    final Optional<Store> trust = store(configs, "truststore");
    final Optional<Store> keys = store(configs, "keystore");
    if (trust.isEmpty() && keys.isEmpty()) {
      return Optional.empty();
    }
    final Object keyPassword = configs.get(PREFIX + "key.password");
    return Optional.of(
        new RegistryTls(
            trust,
            keys,
            keyPassword != null ? keyPassword.toString() : keys.map(Store::password).orElse("")));
  }

  private static Optional<Store> store(final Map<String, ?> configs, final String which) {
    final String key = PREFIX + which + ".location";
    final Object location = configs.get(key);
    if (location == null || location.toString().isBlank()) {
      return Optional.empty();
    }
    final Object password = configs.get(PREFIX + which + ".password");
    final Object type = configs.get(PREFIX + which + ".type");
    return Optional.of(
        new Store(
            key,
            Path.of(location.toString().trim()),
            password == null ? "" : password.toString(),
            type == null || type.toString().isBlank()
                ? KeyStore.getDefaultType().toUpperCase(Locale.ROOT)
                : type.toString().trim().toUpperCase(Locale.ROOT)));
  }

  /** The TLS context these stores make; a {@link ConfigException} naming the key if one fails. */
  public SSLContext sslContext() {
    try {
      final KeyManager[] keyManagers;
      if (keystore.isPresent()) {
        final KeyManagerFactory factory =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(load(keystore.get(), false), keyPassword.toCharArray());
        keyManagers = factory.getKeyManagers();
      } else {
        keyManagers = null;
      }
      final TrustManager[] trustManagers;
      if (truststore.isPresent()) {
        final TrustManagerFactory factory =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(load(truststore.get(), true));
        trustManagers = factory.getTrustManagers();
      } else {
        trustManagers = null;
      }
      final SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers, trustManagers, null);
      return context;
    } catch (final GeneralSecurityException e) {
      throw new ConfigException(
          "cannot use the schema registry's TLS settings (" + PREFIX + "*): " + e.getMessage());
    }
  }

  private static KeyStore load(final Store store, final boolean certificatesOnly) {
    try (InputStream in = Files.newInputStream(store.location())) {
      if (store.type().equals("PEM")) {
        if (!certificatesOnly) {
          throw new ConfigException(
              store.key().replace("location", "type"),
              "PEM",
              "a key store must be JKS or PKCS12 (PEM is read for trust stores only)");
        }
        final KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        int n = 0;
        for (final Certificate certificate :
            CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          keyStore.setCertificateEntry("ca-" + n++, certificate);
        }
        if (n == 0) {
          throw new ConfigException(
              store.key(), store.location().toString(), "holds no PEM certificate");
        }
        return keyStore;
      }
      final KeyStore keyStore = KeyStore.getInstance(store.type());
      keyStore.load(in, store.password().toCharArray());
      return keyStore;
    } catch (final IOException e) {
      throw new ConfigException(
          store.key(),
          store.location().toString(),
          "cannot read it as "
              + store.type()
              + " ("
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + ")");
    } catch (final GeneralSecurityException e) {
      throw new ConfigException(
          store.key(),
          store.location().toString(),
          "not a " + store.type() + " store (" + e.getMessage() + ")");
    }
  }
}

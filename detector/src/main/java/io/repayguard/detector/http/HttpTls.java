package io.repayguard.detector.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for the detector's HTTP: a key store (PKCS12 or JKS) with this instance's key and
 * certificate. The same store is trusted when one instance forwards a query to another, so the
 * instances of one deployment share a certificate, or carry ones signed by a CA whose certificate
 * the store also holds.
 *
 * @param server the context the HTTPS server presents
 * @param client the context a forward to another instance trusts
 */
public record HttpTls(SSLContext server, SSLContext client) {

  /**
   * Reads {@code keyStore} with {@code password}; an {@link IllegalArgumentException} with one line
   * saying what is wrong when it cannot.
   */
  public static HttpTls fromKeyStore(final Path keyStore, final char[] password) {
    if (!Files.isReadable(keyStore)) {
      throw new IllegalArgumentException("http-keystore: cannot read " + keyStore);
    }
    final KeyStore store;
    try {
      store = KeyStore.getInstance(keyStore.toFile(), password);
    } catch (final IOException | GeneralSecurityException e) {
      // the JDK's reasons here (a bad padding, an unknown format) say less than this does
      throw new IllegalArgumentException(
          "http-keystore: "
              + keyStore
              + " is not a PKCS12 or JKS key store this password opens"
              + " (REPAYGUARD_HTTP_KEYSTORE_PASSWORD or http.keystore.password)",
          e);
    }
    try {
      final KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      final TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      final SSLContext server = SSLContext.getInstance("TLS");
      server.init(keys.getKeyManagers(), null, null);
      final SSLContext client = SSLContext.getInstance("TLS");
      client.init(null, trust.getTrustManagers(), null);
      return new HttpTls(server, client);
    } catch (final GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "http-keystore: " + keyStore + " holds no usable key (" + rootMessage(e) + ")", e);
    }
  }

  private static String rootMessage(final Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }
}

package io.repayguard.cli;

import io.repayguard.sim.ClientSettings;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/** Checks that Kafka answers before a command starts, so an unreachable broker is one line. */
final class Preflight {
  private static final int TIMEOUT_MS = 8000;

  private Preflight() {}

  static void requireKafka(final ClientSettings settings) {
    final Map<String, Object> props = settings.clientProperties();
    props.put("request.timeout.ms", TIMEOUT_MS);
    props.put("default.api.timeout.ms", TIMEOUT_MS);
    try (Admin admin = Admin.create(props)) {
      admin.describeCluster().nodes().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (final ExecutionException e) {
      if (e.getCause() instanceof AuthenticationException refused) {
        throw new UserException(
            UserException.UNUSABLE_ENVIRONMENT,
            "Kafka at "
                + settings.bootstrapServers()
                + " refused to authenticate this client: "
                + refused.getMessage()
                + (refused instanceof SslAuthenticationException
                    ? " (the TLS handshake failed: a listener that asks for client certificates"
                        + " wants ssl.keystore.*, and the broker's certificate must be in"
                        + " ssl.truststore.*; check --client-config)"
                    : " (check --client-config)"),
            e);
      }
      throw unreachable(settings, e);
    } catch (final TimeoutException e) {
      throw unreachable(settings, e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserException(UserException.UNUSABLE_ENVIRONMENT, "interrupted", e);
    } catch (final org.apache.kafka.common.KafkaException e) {
      throw UserException.badInput("bad Kafka client settings: " + e.getMessage());
    }
  }

  private static UserException unreachable(final ClientSettings settings, final Exception e) {
    return new UserException(
        UserException.UNUSABLE_ENVIRONMENT,
        "cannot reach Kafka at "
            + settings.bootstrapServers()
            + " (is ./repayguard stack running?)",
        e);
  }
}

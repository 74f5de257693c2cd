package io.repayguard.detector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.BytesDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WriteBackStoreTest {
  private static final String STORE = "queue";
  private static final String CHANGELOG = "app-" + STORE + "-changelog";

  private Path stateDir;

  @AfterEach
  void deleteStateDir() throws IOException {
    if (stateDir != null) {
      Utils.delete(stateDir.toFile());
    }
  }

  @Test
  void shouldKeepWritesAboveTheStoreBelowUntilFlushed() {
    // Given: a write-back store over a store that already holds a, c and e
    final KeyValueStore<Bytes, String> below = inMemory();
    below.put(key("a"), "stored a");
    below.put(key("c"), "stored c");
    below.put(key("e"), "stored e");
    final WriteBackStore<String> store = new WriteBackStore<>(below);

    // When: b is put, c overwritten, e deleted, d put and deleted again
    store.put(key("b"), "b");
    store.put(key("c"), "new c");
    assertThat(store.delete(key("e"))).isEqualTo("stored e");
    store.put(key("d"), "d");
    assertThat(store.delete(key("d"))).isEqualTo("d");

    // Then: the store reads its own writes, in key order, while the store below is untouched
    assertThat(entries(store.all())).containsExactly("a=stored a", "b=b", "c=new c");
    assertThat(entries(store.range(key("b"), null))).containsExactly("b=b", "c=new c");
    assertThat(entries(store.range(key("a"), key("b")))).containsExactly("a=stored a", "b=b");
    assertThat(store.get(key("e"))).isNull();
    assertThat(entries(below.all())).containsExactly("a=stored a", "c=stored c", "e=stored e");

    // And when flushed, the store below holds the same; d was never written there
    store.flushCache();
    assertThat(entries(below.all())).containsExactly("a=stored a", "b=b", "c=new c");
    assertThat(entries(store.all())).containsExactly("a=stored a", "b=b", "c=new c");
  }

  @Test
  void shouldDropWhatIsBufferedWhenTheCacheIsCleared() {
    final KeyValueStore<Bytes, String> below = inMemory();
    below.put(key("a"), "stored a");
    final WriteBackStore<String> store = new WriteBackStore<>(below);
    store.delete(key("a"));
    store.put(key("b"), "b");

    store.clearCache();

    assertThat(entries(store.all())).containsExactly("a=stored a");
  }

  @Test
  void shouldWriteThroughOnceTheBufferIsFull() {
    final KeyValueStore<Bytes, String> below = inMemory();
    final WriteBackStore<String> store = new WriteBackStore<>(below);

    for (int i = 0; i <= WriteBackStore.MAX_BUFFERED; i++) {
      store.put(key(String.format("%06d", i)), "v" + i);
    }

    assertThat(below.approximateNumEntries()).isEqualTo(WriteBackStore.MAX_BUFFERED + 1L);
  }

  @Test
  void shouldWriteToTheChangelogOnlyWhatOutlivesACommit() {
    stateDir = tempDir();
    try (TopologyTestDriver driver = driver()) {
      final TestInputTopic<String, String> commands = commands(driver);

      // When: a is put and deleted within one record, b put in one record, deleted in the next,
      // c put and kept (the driver commits after every record)
      commands.pipeInput("put a, delete a");
      commands.pipeInput("put b");
      commands.pipeInput("delete b");
      commands.pipeInput("put c");

      // Then: Kafka Streams flushed the buffer before each commit (a failure here after a Kafka
      // Streams upgrade means it no longer calls flushCache: see WriteBackStore); a never reached
      // the changelog
      assertThat(
              driver
                  .createOutputTopic(CHANGELOG, new BytesDeserializer(), new StringDeserializer())
                  .readRecordsToList())
          .extracting(r -> text(r.key()) + "=" + r.value())
          .containsExactly("b=put b", "b=null", "c=put c");
      final KeyValueStore<Bytes, String> store = driver.getKeyValueStore(STORE);
      assertThat(entries(store.all())).containsExactly("c=put c");
    }
  }

  /** Applies comma-separated commands, "put k" or "delete k", to the store. */
  private static final class Commands implements Processor<String, String, Void, Void> {
    private KeyValueStore<Bytes, String> store;

    @Override
    public void init(final ProcessorContext<Void, Void> context) {
      store = context.getStateStore(STORE);
    }

    @Override
    public void process(final Record<String, String> record) {
      for (final String command : record.value().split(", ")) {
        final String[] words = command.split(" ");
        if (words[0].equals("put")) {
          store.put(key(words[1]), command);
        } else {
          store.delete(key(words[1]));
        }
      }
    }
  }

  private TopologyTestDriver driver() {
    final Topology topology = new Topology();
    topology.addSource("commands", new StringDeserializer(), new StringDeserializer(), "commands");
    topology.addProcessor("apply", Commands::new, "commands");
    topology.addStateStore(
        WriteBackStore.over(
            Stores.keyValueStoreBuilder(
                    Stores.persistentKeyValueStore(STORE), Serdes.Bytes(), Serdes.String())
                .withCachingDisabled()),
        "apply");
    final Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    return new TopologyTestDriver(topology, props);
  }

  private static TestInputTopic<String, String> commands(final TopologyTestDriver driver) {
    return driver.createInputTopic("commands", new StringSerializer(), new StringSerializer());
  }

  private static KeyValueStore<Bytes, String> inMemory() {
    final KeyValueStore<Bytes, String> store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(STORE), Serdes.Bytes(), Serdes.String())
            .withLoggingDisabled()
            .build();
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    return store;
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("write-back");
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Bytes key(final String text) {
    return Bytes.wrap(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(final Bytes key) {
    return new String(key.get(), StandardCharsets.UTF_8);
  }

  private static List<String> entries(final KeyValueIterator<Bytes, String> iterator) {
    final List<String> entries = new ArrayList<>();
    try (iterator) {
      while (iterator.hasNext()) {
        final KeyValue<Bytes, String> entry = iterator.next();
        entries.add(text(entry.key) + "=" + entry.value);
      }
    }
    return entries;
  }
}

package io.repayguard.detector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DueQueueTest {
  private KeyValueStore<Bytes, String> store;
  private DueQueue<String> queue;

  @BeforeEach
  void setUp() {
    store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("queue"), Serdes.Bytes(), Serdes.String())
            .withLoggingDisabled()
            .build();
    final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    store.init(context.getStateStoreContext(), store);
    queue = new DueQueue<>(store);
  }

  @Test
  void takesWorkInDueOrderThenArrivalOrderOnlyOnceDue() {
    queue.add(300, 1, "", "c");
    queue.add(100, 3, "", "b");
    queue.add(100, 2, "", "a");
    queue.add(-50, 4, "", "negative due");

    assertThat(queue.takeDue(-51)).isEmpty();
    assertThat(drain(100)).containsExactly("negative due", "a", "b");
    assertThat(queue.takeDue(299)).isEmpty();
    assertThat(queue.nextDue()).contains(300L);
    assertThat(drain(300)).containsExactly("c");
    assertThat(queue.nextDue()).isEmpty();
  }

  @Test
  void countsWhatItHoldsFromTheStoreOnceThenAsWorkComesAndGoes() {
    queue.add(100, 1, "", "a");
    queue.add(200, 2, "", "b");

    // a queue over a store that already holds work, as after a restart, counts it
    final DueQueue<String> restarted = new DueQueue<>(store);
    assertThat(restarted.size()).isEqualTo(2);
    restarted.add(300, 3, "", "c");
    assertThat(restarted.size()).isEqualTo(3);
    assertThat(restarted.takeDue(150)).contains("a");
    assertThat(restarted.takeDue(150)).isEmpty();
    assertThat(restarted.size()).isEqualTo(2);
    assertThat(new DueQueue<>(store).size()).isEqualTo(2);
  }

  @Test
  void keepsEveryWorkOneFactQueuesForTheSameTimeInTieBreakOrder() {
    queue.add(100, 7, "p2/", "second plan");
    queue.add(100, 7, "p1/", "first plan");

    assertThat(drain(100)).containsExactly("first plan", "second plan");
  }

  @Test
  void workAddedBelowWhatWasTakenIsStillFound() {
    queue.add(100, 1, "", "a");
    queue.add(200, 2, "", "b");
    assertThat(drain(150)).containsExactly("a");
    assertThat(queue.takeDue(150)).isEmpty();

    queue.add(50, 3, "", "late, already due");
    queue.add(120, 4, "", "due at 120");

    assertThat(queue.nextDue()).contains(50L);
    assertThat(drain(150)).containsExactly("late, already due", "due at 120");
    assertThat(drain(200)).containsExactly("b");
  }

  @Test
  void aFreshQueueOverAFilledStoreFindsItsHead() {
    queue.add(100, 1, "", "a");
    queue.add(200, 2, "", "b");
    assertThat(drain(100)).containsExactly("a");

    final DueQueue<String> restarted = new DueQueue<>(store);

    assertThat(restarted.nextDue()).contains(200L);
    assertThat(restarted.takeDue(199)).isEmpty();
    assertThat(restarted.takeDue(200)).contains("b");
    assertThat(restarted.takeDue(Long.MAX_VALUE)).isEmpty();
  }

  @Test
  void takesTheEntryALookFoundUnlessAnEarlierOneWasAddedSince() {
    queue.add(200, 1, "", "b");
    assertThat(queue.nextDue()).contains(200L);

    queue.add(100, 2, "", "a");
    queue.add(300, 3, "", "c");

    assertThat(queue.nextDue()).contains(100L);
    assertThat(queue.takeDue(300)).contains("a");
    assertThat(queue.takeDue(150)).isEmpty();
    assertThat(queue.takeDue(300)).contains("b");
    assertThat(queue.takeDue(300)).contains("c");
    assertThat(queue.nextDue()).isEmpty();
    queue.add(50, 4, "", "after empty");
    assertThat(queue.takeDue(50)).contains("after empty");
    assertThat(store.approximateNumEntries()).isZero();
  }

  private List<String> drain(final long now) {
    final List<String> taken = new ArrayList<>();
    for (Optional<String> next = queue.takeDue(now); next.isPresent(); next = queue.takeDue(now)) {
      taken.add(next.get());
    }
    return taken;
  }
}
